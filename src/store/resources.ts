import type { Insertable, Selectable } from 'kysely';
import {
  type CloudResourcesStagedTable,
  type CloudResourcesTable,
  type Database,
  readTime,
  writeTime,
  writeTransaction,
} from './database';
import { countServedBy } from './derivation';
import { openStaging, stagingEnd, stagingGone, stagingToucher, swapStaged, timeValue } from './staging';
import type { DeployedResource, ResourceStaging, ResourceStore, StagingOptions } from './types';

const BATCH = 500;
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/**
 * Where certificates are deployed, as the last complete ListCloudResources listing said (staged
 * page by page, then swapped in with one transaction: see ./staging.ts).
 */
export function resourceStore(database: Database): ResourceStore {
  const { db } = database;

  const begin = async (account: string, options: StagingOptions = {}): Promise<ResourceStaging> => {
    const staging = await openStaging(database, account, 'resources', options.abandonedAfterMs);
    const touch = stagingToucher(database, staging, 'resources');
    const end = stagingEnd(database, staging, 'resources', (at: Date) => swap(database, account, staging, at));
    return {
      async stage(resources) {
        if (end.finished) throw stagingGone('resources');
        // Merged by id, the last one winning (one statement may not write a key twice).
        const rows = new Map<string, Insertable<CloudResourcesStagedTable>>();
        for (const r of resources) {
          rows.delete(r.id);
          rows.set(r.id, {
            staging,
            id: r.id,
            certificate_id: orNull(r.certificateId),
            cloud: orNull(r.cloud),
            product: orNull(r.product),
            region: orNull(r.region),
            instance_id: orNull(r.instanceId),
            listener_id: orNull(r.listenerId),
            listener_port: orNull(r.listenerPort),
            domain: orNull(r.domain),
            https: r.https === undefined ? null : r.https ? 1 : 0,
          });
        }
        if (rows.size === 0) return;
        await touch();
        const values = [...rows.values()];
        for (let i = 0; i < values.length; i += BATCH)
          await db
            .insertInto('cloud_resources_staged')
            .values(values.slice(i, i + BATCH))
            .onConflict((oc) =>
              oc.columns(['staging', 'id']).doUpdateSet((eb) => ({
                certificate_id: eb.ref('excluded.certificate_id'),
                cloud: eb.ref('excluded.cloud'),
                product: eb.ref('excluded.product'),
                region: eb.ref('excluded.region'),
                instance_id: eb.ref('excluded.instance_id'),
                listener_id: eb.ref('excluded.listener_id'),
                listener_port: eb.ref('excluded.listener_port'),
                domain: eb.ref('excluded.domain'),
                https: eb.ref('excluded.https'),
              })),
            )
            .execute();
      },
      commit: end.commit,
      abort: end.abort,
    };
  };

  return {
    begin,
    async replace(account, resources, at) {
      const staging = await begin(account);
      try {
        for (let i = 0; i < resources.length; i += BATCH) await staging.stage(resources.slice(i, i + BATCH));
      } catch (error) {
        await staging.abort().catch(() => undefined);
        throw error;
      }
      return staging.commit(at);
    },
    async recordFailure(account, at, error) {
      const values = {
        last_attempt: writeTime(at),
        error_message: error.message,
        ram_action: orNull(error.ramAction),
        request_id: orNull(error.requestId),
      };
      await db
        .insertInto('resource_syncs')
        .values({ account, last_success: null, ...values })
        .onConflict((oc) => oc.column('account').doUpdateSet(values))
        .execute();
    },
    async list(account) {
      let query = db.selectFrom('cloud_resources').selectAll().where('removed_at', 'is', null);
      if (account !== undefined) query = query.where('account', '=', account);
      const rows = await query.execute();
      return rows.map(deployedResourceOf);
    },
    async state(account) {
      const row = await db.selectFrom('resource_syncs').selectAll().where('account', '=', account).executeTakeFirst();
      if (!row) return {};
      return {
        lastSuccess: readTime(row.last_success),
        lastAttempt: readTime(row.last_attempt),
        error: row.error_message
          ? {
              message: row.error_message,
              ramAction: orUndefined(row.ram_action),
              requestId: orUndefined(row.request_id),
            }
          : undefined,
      };
    },
  };
}

/** The model from a stored row. */
export function deployedResourceOf(row: Selectable<CloudResourcesTable>): DeployedResource {
  return {
    account: row.account,
    id: row.id,
    certificateId: orUndefined(row.certificate_id),
    cloud: orUndefined(row.cloud),
    product: orUndefined(row.product),
    region: orUndefined(row.region),
    instanceId: orUndefined(row.instance_id),
    listenerId: orUndefined(row.listener_id),
    listenerPort: orUndefined(row.listener_port),
    domain: orUndefined(row.domain),
    https: row.https === null ? undefined : Number(row.https) === 1,
  };
}

/**
 * The swap of a streaming resource listing, in one set-based transaction (see swapStaged):
 * every staged resource upserted as present (first_seen kept), every present one not staged
 * marked removed, the account's certificates' resource counts brought up to date, and the
 * listing recorded as successful. Under the account's inventory lock, as the certificate swap
 * (both write `served_by`).
 */
async function swap(database: Database, account: string, staging: string, at: Date): Promise<{ resources: number }> {
  const text = writeTime(at);
  return writeTransaction(
    database,
    async (trx) => {
      const { measured: staged } = await swapStaged(
        trx,
        { kind: 'resources', account, staging, at: timeValue(database, at), columns: FIELD_COLUMNS },
        async () => {
          const [row] = await trx
            .selectFrom('cloud_resources_staged')
            .select((eb) => eb.fn.countAll().as('staged'))
            .where('staging', '=', staging)
            .execute();
          return Number(row.staged);
        },
      );
      const recorded = {
        last_success: text,
        last_attempt: text,
        error_message: null,
        ram_action: null,
        request_id: null,
      };
      await trx
        .insertInto('resource_syncs')
        .values({ account, ...recorded })
        .onConflict((oc) => oc.column('account').doUpdateSet(recorded))
        .execute();
      await countServedBy(trx, account);
      return { resources: staged };
    },
    { lock: `inventory:${account}` },
  );
}

const FIELD_COLUMNS = [
  'certificate_id',
  'cloud',
  'product',
  'region',
  'instance_id',
  'listener_id',
  'listener_port',
  'domain',
  'https',
] as const;
