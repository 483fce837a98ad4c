import { type Database, readJson, readTime, writeJson, writeTime } from './database';
import type { AuditEntry, AuditLog, AuditOutcome } from './types';

/** Every /cert-assign step, who and when, for as long as the store lives. */
export function auditLog({ db }: Database): AuditLog {
  return {
    async record(entry) {
      await db
        .insertInto('audit_log')
        .values({
          at: writeTime(entry.at),
          user_id: entry.userId,
          team_id: entry.teamId ?? null,
          channel_id: entry.channelId ?? null,
          action: entry.action,
          outcome: entry.outcome,
          details: writeJson(entry.details),
          request_id: entry.requestId ?? null,
        })
        .execute();
    },
    async list(limit) {
      const rows = await db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
      return rows.map((row): AuditEntry => ({
        at: readTime(row.at),
        userId: row.user_id,
        teamId: row.team_id ?? undefined,
        channelId: row.channel_id ?? undefined,
        action: row.action,
        outcome: row.outcome as AuditOutcome,
        details: readJson<Record<string, unknown>>(row.details),
        requestId: row.request_id ?? undefined,
      }));
    },
  };
}
