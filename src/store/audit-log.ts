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
    async list(limit, filter = {}) {
      const { since, userId } = filter;
      // Times are ISO 8601 UTC text on SQLite (which then compares as text) and timestamptz on PostgreSQL.
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .$if(since !== undefined, (q) => q.where('at', '>=', writeTime(since as Date)))
        .$if(userId !== undefined, (q) => q.where('user_id', '=', userId as string))
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
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

/** One fact of an entry's details, as plain text (not escaped): e.g. `data source` `33285`. */
export interface AuditDetail {
  label: string;
  value: string;
}

/** The details worth showing a person, in this order; anything else stays in `cert-bot audit --json`. */
const DETAIL_LABELS: ReadonlyArray<readonly [key: string, label: string, max: number]> = [
  ['dataSourceId', 'data source', 40],
  ['count', 'count', 20],
  ['account', 'account', 40],
  // Alert acknowledgements and snoozes.
  ['id', 'certificate', 60],
  ['until', 'until', 40],
  ['decision', 'decision', 20],
  ['reason', 'reason', 80],
  ['error', 'error', 80],
  // What a refused person typed, and an unreadable button.
  ['text', 'typed', 60],
  ['value', 'button value', 40],
];

/** At most `max` characters (code points, so no surrogate pair is split), "…" when cut. */
function shorten(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * The facts of an entry's details a person reads (data source, count, account, reason or
 * error), as plain text: the Slack renderer escapes them, the command line cleans them.
 */
export function auditDetails(details: Record<string, unknown> | null | undefined): AuditDetail[] {
  const facts: AuditDetail[] = [];
  if (details === null || typeof details !== 'object') return facts;
  for (const [key, label, max] of DETAIL_LABELS) {
    const raw = details[key];
    const value =
      typeof raw === 'string'
        ? raw
        : (typeof raw === 'number' && Number.isFinite(raw)) || typeof raw === 'boolean'
          ? String(raw)
          : undefined;
    if (value === undefined || value.trim() === '') continue;
    facts.push({ label, value: shorten(value, max) });
  }
  return facts;
}
