import { type Database, readTime, writeTime, writeTransaction } from './database';
import type { DeployedResource, ResourceStore } from './types';

const BATCH = 500;
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/** Where certificates are deployed, as the last complete ListCloudResources listing said. */
export function resourceStore(database: Database): ResourceStore {
  const { db } = database;
  return {
    async replace(account, resources, at) {
      const now = writeTime(at);
      const unique = new Map(resources.map((r) => [r.id, r]));
      await writeTransaction(
        database,
        async (trx) => {
          const rows = [...unique.values()].map((r) => ({
            account,
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
            first_seen: now,
            last_seen: now,
            removed_at: null,
          }));
          for (let i = 0; i < rows.length; i += BATCH)
            await trx
              .insertInto('cloud_resources')
              .values(rows.slice(i, i + BATCH))
              .onConflict((oc) =>
                oc.columns(['account', 'id']).doUpdateSet((eb) => ({
                  certificate_id: eb.ref('excluded.certificate_id'),
                  cloud: eb.ref('excluded.cloud'),
                  product: eb.ref('excluded.product'),
                  region: eb.ref('excluded.region'),
                  instance_id: eb.ref('excluded.instance_id'),
                  listener_id: eb.ref('excluded.listener_id'),
                  listener_port: eb.ref('excluded.listener_port'),
                  domain: eb.ref('excluded.domain'),
                  https: eb.ref('excluded.https'),
                  last_seen: eb.ref('excluded.last_seen'),
                  removed_at: null,
                })),
              )
              .execute();
          // Everything of the account this listing did not mention is gone.
          const present = await trx
            .selectFrom('cloud_resources')
            .select('id')
            .where('account', '=', account)
            .where('removed_at', 'is', null)
            .execute();
          const absent = present.map((r) => r.id).filter((id) => !unique.has(id));
          for (let i = 0; i < absent.length; i += BATCH)
            await trx
              .updateTable('cloud_resources')
              .set({ removed_at: now })
              .where('account', '=', account)
              .where('id', 'in', absent.slice(i, i + BATCH))
              .execute();
          await trx
            .insertInto('resource_syncs')
            .values({
              account,
              last_success: now,
              last_attempt: now,
              error_message: null,
              ram_action: null,
              request_id: null,
            })
            .onConflict((oc) =>
              oc.column('account').doUpdateSet({
                last_success: now,
                last_attempt: now,
                error_message: null,
                ram_action: null,
                request_id: null,
              }),
            )
            .execute();
        },
        { lock: `resources:${account}` },
      );
      return { resources: unique.size };
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
      return rows.map((row): DeployedResource => ({
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
      }));
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
