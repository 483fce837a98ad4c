import { sql } from 'kysely';
import { type Database, readJson, readTime, writeJson, writeTime } from './database';
import type { ClaimEntry, ClaimKey, ClaimStore } from './types';

const whereKey = (key: ClaimKey) => ({ kind: key.kind, subject: key.subject, period: key.period }) satisfies ClaimKey;

/**
 * Exactly-once claims keyed by (kind, subject, period). A claim is one statement on both
 * databases, so replicas need no transaction: the insert wins for the first claimant; on
 * conflict the row is locked and the takeover condition re-checked against its latest version,
 * so of several claimants of an expired lease only the first gets it.
 */
export function claimStore({ db }: Database): ClaimStore {
  const byKey = (key: ClaimKey) => {
    const k = whereKey(key);
    return db
      .selectFrom('claims')
      .selectAll()
      .where((eb) => eb.and(k));
  };

  return {
    async claim(request) {
      const now = writeTime(request.now);
      const leaseUntil = writeTime(new Date(request.now.getTime() + request.leaseMs));
      const row = await db
        .insertInto('claims')
        .values({
          ...whereKey(request),
          status: 'claimed',
          holder: request.holder,
          claimed_at: now,
          lease_until: leaseUntil,
          finished_at: null,
          attempts: 1,
          result: null,
          error: null,
        })
        .onConflict((oc) =>
          oc
            .columns(['kind', 'subject', 'period'])
            .doUpdateSet((eb) => ({
              status: 'claimed',
              holder: eb.ref('excluded.holder'),
              claimed_at: eb.ref('excluded.claimed_at'),
              lease_until: eb.ref('excluded.lease_until'),
              finished_at: null,
              result: null,
              error: null,
              attempts: eb(eb.ref('claims.attempts'), '+', 1),
            }))
            .where((eb) =>
              request.force
                ? sql<boolean>`1 = 1`
                : eb.or([
                    eb('claims.status', '=', 'released'),
                    eb.and([eb('claims.status', '=', 'claimed'), eb('claims.lease_until', '<=', now)]),
                  ]),
            ),
        )
        .returning(['attempts'])
        .executeTakeFirst();
      return row ? { attempt: Number(row.attempts) } : undefined;
    },

    async renew(key, holder, now, leaseMs) {
      const k = whereKey(key);
      const result = await db
        .updateTable('claims')
        .set({ lease_until: writeTime(new Date(now.getTime() + leaseMs)) })
        .where((eb) => eb.and(k))
        .where('status', '=', 'claimed')
        .where('holder', '=', holder)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async finish(key, holder, outcome) {
      const k = whereKey(key);
      await db
        .updateTable('claims')
        .set({
          status: outcome.status,
          finished_at: writeTime(outcome.now),
          lease_until: null,
          result: outcome.result ? writeJson(outcome.result) : null,
          error: outcome.error ?? null,
        })
        .where((eb) => eb.and(k))
        .where('holder', '=', holder)
        .execute();
    },

    async release(key, holder) {
      const k = whereKey(key);
      await db
        .updateTable('claims')
        .set({ status: 'released', lease_until: null })
        .where((eb) => eb.and(k))
        .where('status', '=', 'claimed')
        .where('holder', '=', holder)
        .execute();
    },

    async get(key) {
      const row = await byKey(key).executeTakeFirst();
      return row ? toEntry(row) : undefined;
    },

    async list(kind, limit, subject) {
      let query = db.selectFrom('claims').selectAll().where('kind', '=', kind);
      if (subject !== undefined) query = query.where('subject', '=', subject);
      const rows = await query.orderBy('period', 'desc').orderBy('subject').limit(limit).execute();
      return rows.map(toEntry);
    },
  };
}

type ClaimRow = {
  kind: string;
  subject: string;
  period: string;
  status: string;
  holder: string;
  claimed_at: Date | string;
  lease_until: Date | string | null;
  finished_at: Date | string | null;
  attempts: number;
  result: unknown;
  error: string | null;
};

function toEntry(row: ClaimRow): ClaimEntry {
  return {
    kind: row.kind,
    subject: row.subject,
    period: row.period,
    status: row.status,
    holder: row.holder,
    claimedAt: readTime(row.claimed_at),
    leaseUntil: readTime(row.lease_until),
    finishedAt: readTime(row.finished_at),
    attempts: Number(row.attempts),
    result: row.result === null ? undefined : readJson<Record<string, unknown>>(row.result),
    error: row.error ?? undefined,
  };
}
