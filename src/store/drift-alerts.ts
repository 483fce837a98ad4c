import type { DriftAlertRecord, DriftResolution } from '../domain/drift-alerts';
import type { Verdict } from '../domain/probe-verdict';
import { type Database, readTime, writeTime } from './database';
import { verdictFromJson, verdictToJson } from './probe-results';
import type { DriftAlertStore } from './types';

type Row = {
  host: string;
  port: number;
  fingerprint: string;
  verdict: string;
  channel: string;
  ts: string;
  posted_at: Date | string;
  mention: string | null;
  detail: string;
  acknowledged_by: string | null;
  acknowledged_at: Date | string | null;
  snoozed_by: string | null;
  snoozed_until: Date | string | null;
  resolved_at: Date | string | null;
  resolution: string | null;
};

function toRecord(row: Row): DriftAlertRecord {
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  return {
    host: row.host,
    port: Number(row.port),
    fingerprint: row.fingerprint,
    verdict: row.verdict as Verdict,
    channel: row.channel,
    ts: row.ts,
    postedAt: readTime(row.posted_at),
    ...optional('mention', row.mention ?? undefined),
    detail: verdictFromJson(row.detail),
    ...optional('acknowledgedBy', row.acknowledged_by ?? undefined),
    ...optional('acknowledgedAt', readTime(row.acknowledged_at)),
    ...optional('snoozedBy', row.snoozed_by ?? undefined),
    ...optional('snoozedUntil', readTime(row.snoozed_until)),
    ...optional('resolvedAt', readTime(row.resolved_at)),
    ...optional('resolution', row.resolution ? (JSON.parse(row.resolution) as DriftResolution) : undefined),
  };
}

/** The drift alerts posted, with acknowledgements, snoozes and resolutions (see alerts/drift.ts). */
export function driftAlertStore(database: Database): DriftAlertStore {
  const { db } = database;
  const ofEndpoint = (host: string, port: number) =>
    db
      .selectFrom('drift_alerts')
      .selectAll()
      .where('host', '=', host)
      .where('port', '=', port)
      .orderBy('posted_at')
      .orderBy('verdict')
      .execute();
  const openOf = async (host: string, port: number) =>
    (await ofEndpoint(host, port)).map(toRecord).filter((r) => r.resolvedAt === undefined);

  return {
    async save(alerts) {
      for (const alert of alerts)
        await db
          .insertInto('drift_alerts')
          .values({
            host: alert.host,
            port: alert.port,
            fingerprint: alert.fingerprint,
            verdict: alert.verdict,
            channel: alert.channel,
            ts: alert.ts,
            posted_at: writeTime(alert.postedAt),
            mention: alert.mention ?? null,
            detail: verdictToJson(alert.detail),
            acknowledged_by: null,
            acknowledged_at: null,
            snoozed_by: null,
            snoozed_until: null,
            resolved_at: null,
            resolution: null,
          })
          .onConflict((oc) => oc.columns(['host', 'port', 'fingerprint', 'verdict']).doNothing())
          .execute();
    },
    async list(filter) {
      if ('endpoint' in filter) return (await ofEndpoint(filter.endpoint.host, filter.endpoint.port)).map(toRecord);
      const rows = await db
        .selectFrom('drift_alerts')
        .selectAll()
        .where('resolved_at', 'is', null)
        .orderBy('host')
        .orderBy('port')
        .orderBy('posted_at')
        .execute();
      return rows.map(toRecord);
    },
    async message(channel, ts) {
      const rows = await db
        .selectFrom('drift_alerts')
        .selectAll()
        .where('channel', '=', channel)
        .where('ts', '=', ts)
        .orderBy('host')
        .orderBy('port')
        .execute();
      return rows.map(toRecord);
    },
    async acknowledge(endpoint, by, at) {
      // One statement: of two presses at once (or on two replicas) the first one is kept.
      await db
        .updateTable('drift_alerts')
        .set({ acknowledged_by: by, acknowledged_at: writeTime(at) })
        .where('host', '=', endpoint.host)
        .where('port', '=', endpoint.port)
        .where('resolved_at', 'is', null)
        .where('acknowledged_by', 'is', null)
        .execute();
      return openOf(endpoint.host, endpoint.port);
    },
    async snooze(endpoint, by, until) {
      await db
        .updateTable('drift_alerts')
        .set({ snoozed_by: by, snoozed_until: writeTime(until) })
        .where('host', '=', endpoint.host)
        .where('port', '=', endpoint.port)
        .where('resolved_at', 'is', null)
        .execute();
      return openOf(endpoint.host, endpoint.port);
    },
    async resolve(key, at, resolution) {
      const result = await db
        .updateTable('drift_alerts')
        .set({ resolved_at: writeTime(at), resolution: JSON.stringify(resolution) })
        .where('host', '=', key.host)
        .where('port', '=', key.port)
        .where('fingerprint', '=', key.fingerprint)
        .where('verdict', '=', key.verdict)
        .where('resolved_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows ?? 0) > 0;
    },
    async reopen(key) {
      await db
        .updateTable('drift_alerts')
        .set({ resolved_at: null, resolution: null })
        .where('host', '=', key.host)
        .where('port', '=', key.port)
        .where('fingerprint', '=', key.fingerprint)
        .where('verdict', '=', key.verdict)
        .execute();
    },
  };
}
