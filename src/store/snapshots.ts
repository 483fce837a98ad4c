import { type CertificateState, isCertificateState } from '../domain/certificate-state';
import { type Database, readJson, readTime, writeJson, writeTime } from './database';
import type { DigestSnapshot, SnapshotStore } from './types';

interface SnapshotRow {
  period: string;
  taken_at: Date | string;
  point: number | null;
  risks: unknown;
  total_risk: number;
}

/**
 * The inventory's state counts share the risks column (JSON), under `inventory:<state>` keys,
 * so older rows and older readers keep working and no migration is needed.
 */
const STATE_PREFIX = 'inventory:';

function fromRow(row: SnapshotRow): DigestSnapshot {
  const stored = readJson<Record<string, number>>(row.risks) ?? {};
  const risks: Record<string, number> = {};
  const states: Partial<Record<CertificateState, number>> = {};
  let counted = false;
  for (const [key, n] of Object.entries(stored)) {
    if (!key.startsWith(STATE_PREFIX)) risks[key] = n;
    else if (isCertificateState(key.slice(STATE_PREFIX.length))) {
      states[key.slice(STATE_PREFIX.length) as CertificateState] = n;
      counted = true;
    }
  }
  return {
    period: row.period,
    takenAt: readTime(row.taken_at),
    point: row.point ?? undefined,
    risks,
    totalRisk: row.total_risk,
    ...(counted ? { states } : {}),
  };
}

function toValues(snapshot: DigestSnapshot) {
  return {
    period: snapshot.period,
    taken_at: writeTime(snapshot.takenAt),
    point: snapshot.point ?? null,
    risks: writeJson({
      ...snapshot.risks,
      ...Object.fromEntries(Object.entries(snapshot.states ?? {}).map(([state, n]) => [`${STATE_PREFIX}${state}`, n])),
    }),
    total_risk: snapshot.totalRisk,
  };
}

/**
 * The numbers each digest showed, one row per period (and one per account and period), for the
 * next digest's trend, the chart and App Home.
 */
export function snapshotStore({ db }: Database): SnapshotStore {
  return {
    async saveSnapshot(snapshot) {
      const values = toValues(snapshot);
      await db
        .insertInto('digest_snapshot')
        .values(values)
        .onConflict((oc) =>
          oc.column('period').doUpdateSet({
            taken_at: values.taken_at,
            point: values.point,
            risks: values.risks,
            total_risk: values.total_risk,
          }),
        )
        .execute();
    },
    async previousSnapshot(period) {
      const row = await db
        .selectFrom('digest_snapshot')
        .selectAll()
        .where('period', '<', period)
        .orderBy('period', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    async history(limit) {
      const rows = await db.selectFrom('digest_snapshot').selectAll().orderBy('period', 'desc').limit(limit).execute();
      return rows.map(fromRow).reverse();
    },
    async saveAccountSnapshot(account, snapshot) {
      const values = { ...toValues(snapshot), account };
      await db
        .insertInto('account_snapshots')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['account', 'period']).doUpdateSet({
            taken_at: values.taken_at,
            point: values.point,
            risks: values.risks,
            total_risk: values.total_risk,
          }),
        )
        .execute();
    },
    async accountHistory(account, limit) {
      const rows = await db
        .selectFrom('account_snapshots')
        .selectAll()
        .where('account', '=', account)
        .orderBy('period', 'desc')
        .limit(limit)
        .execute();
      return rows.map(fromRow).reverse();
    },
  };
}
