import { type Database, readJson, readTime, writeJson, writeTime } from './database';
import type { DigestSnapshot, SnapshotStore } from './types';

interface SnapshotRow {
  period: string;
  taken_at: Date | string;
  point: number | null;
  risks: unknown;
  total_risk: number;
}

function fromRow(row: SnapshotRow): DigestSnapshot {
  return {
    period: row.period,
    takenAt: readTime(row.taken_at),
    point: row.point ?? undefined,
    risks: readJson<Record<string, number>>(row.risks),
    totalRisk: row.total_risk,
  };
}

function toValues(snapshot: DigestSnapshot) {
  return {
    period: snapshot.period,
    taken_at: writeTime(snapshot.takenAt),
    point: snapshot.point ?? null,
    risks: writeJson(snapshot.risks),
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
