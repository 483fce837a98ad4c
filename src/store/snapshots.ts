import { type Database, readJson, readTime, writeJson, writeTime } from './database';
import type { SnapshotStore } from './types';

/** The numbers each digest showed, one row per period, for the next digest's trend. */
export function snapshotStore({ db }: Database): SnapshotStore {
  return {
    async saveSnapshot(snapshot) {
      const values = {
        period: snapshot.period,
        taken_at: writeTime(snapshot.takenAt),
        point: snapshot.point ?? null,
        risks: writeJson(snapshot.risks),
        total_risk: snapshot.totalRisk,
      };
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
      if (!row) return undefined;
      return {
        period: row.period,
        takenAt: readTime(row.taken_at),
        point: row.point ?? undefined,
        risks: readJson<Record<string, number>>(row.risks),
        totalRisk: row.total_risk,
      };
    },
  };
}
