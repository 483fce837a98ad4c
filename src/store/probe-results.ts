import type { Certificate } from '../domain/certificate';
import type { EndpointVerdict, ServedJudgement } from '../domain/probe-verdict';
import { type Database, readTime, writeTime, writeTransaction } from './database';
import type { ProbeResultStore } from './types';

const BATCH = 200;

/** The certificate fields a stored verdict keeps: what it is, not what the pass derived about it. */
function bare(certificate: Certificate & { replacedBy?: unknown; removedAt?: unknown }): Certificate {
  const { replacedBy: _replacedBy, removedAt: _removedAt, ...rest } = certificate;
  return rest;
}

function storedServed(served: ServedJudgement): ServedJudgement {
  return {
    ...served,
    ...(served.match ? { match: { ...served.match, certificate: bare(served.match.certificate) } } : {}),
    ...(served.replacement ? { replacement: bare(served.replacement) } : {}),
  };
}

function revivedServed(served: ServedJudgement): ServedJudgement {
  return { ...served, at: readTime(served.at as Date | string) };
}

/** A verdict as stored text: the certificates bare, dates as ISO text. */
export function verdictToJson(v: EndpointVerdict): string {
  return JSON.stringify({
    ...v,
    served: v.served ? storedServed(v.served) : undefined,
    alternates: v.alternates?.map(storedServed),
  });
}

/** A verdict read back from its stored text, its dates revived. */
export function verdictFromJson(text: string, checkedAt?: Date | string): EndpointVerdict {
  const verdict = JSON.parse(text) as EndpointVerdict;
  return {
    ...verdict,
    checkedAt: readTime(checkedAt ?? verdict.checkedAt),
    ...(verdict.served ? { served: revivedServed(verdict.served) } : {}),
    ...(verdict.alternates ? { alternates: verdict.alternates.map(revivedServed) } : {}),
  };
}

/** Every endpoint's latest verdict, as the last scheduled probe pass left it. */
export function probeResultStore(database: Database): ProbeResultStore {
  const { db } = database;
  return {
    async replace(verdicts) {
      const unique = new Map(verdicts.map((v) => [`${v.endpoint.host}:${v.endpoint.port}`, v]));
      const rows = [...unique.values()].map((v) => ({
        host: v.endpoint.host,
        port: v.endpoint.port,
        verdict: v.verdict,
        checked_at: writeTime(v.checkedAt),
        consecutive_failures: v.consecutiveFailures,
        detail: verdictToJson(v),
      }));
      // One transaction: a reader sees the previous pass or this one, never half of each.
      await writeTransaction(
        database,
        async (trx) => {
          await trx.deleteFrom('probe_results').execute();
          for (let i = 0; i < rows.length; i += BATCH)
            await trx
              .insertInto('probe_results')
              .values(rows.slice(i, i + BATCH))
              .execute();
        },
        { lock: 'probe_results' },
      );
    },
    async list() {
      const rows = await db.selectFrom('probe_results').selectAll().orderBy('host').orderBy('port').execute();
      return rows.map((row) => verdictFromJson(row.detail, row.checked_at));
    },
  };
}
