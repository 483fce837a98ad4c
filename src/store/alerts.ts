import { type Database, readJson, readTime, writeJson, writeTime, writeTransaction } from './database';
import type { AlertItem, AlertMessage, AlertStore, StoredAlertState } from './types';

type StateRow = {
  account: string;
  certificate_id: string;
  acknowledged_by: string | null;
  acknowledged_at: Date | string | null;
  snoozed_by: string | null;
  snoozed_until: Date | string | null;
  renewed_by: string | null;
};

function toState(row: StateRow): StoredAlertState {
  return {
    account: row.account,
    certificateId: row.certificate_id,
    acknowledgedBy: row.acknowledged_by ?? undefined,
    acknowledgedAt: readTime(row.acknowledged_at),
    snoozedBy: row.snoozed_by ?? undefined,
    snoozedUntil: readTime(row.snoozed_until),
    renewedBy: row.renewed_by ?? undefined,
  };
}

type MessageRow = {
  channel: string;
  ts: string;
  posted_at: Date | string;
  mention: string | null;
  items: unknown;
  omitted: number;
};

function toMessage(row: MessageRow): AlertMessage {
  return {
    channel: row.channel,
    ts: row.ts,
    postedAt: readTime(row.posted_at),
    mention: row.mention ?? undefined,
    items: readJson<AlertItem[]>(row.items),
    omitted: Number(row.omitted),
  };
}

/** Acknowledgements, snoozes and the alert messages posted (see alerts/). */
export function alertStore(database: Database): AlertStore {
  const { db } = database;
  const state = async (account: string, certificateId: string) => {
    const row = await db
      .selectFrom('alert_states')
      .selectAll()
      .where('account', '=', account)
      .where('certificate_id', '=', certificateId)
      .executeTakeFirst();
    return row ? toState(row) : undefined;
  };
  const ensureRow = (account: string, certificateId: string) =>
    db
      .insertInto('alert_states')
      .values({
        account,
        certificate_id: certificateId,
        acknowledged_by: null,
        acknowledged_at: null,
        snoozed_by: null,
        snoozed_until: null,
        renewed_by: null,
      })
      .onConflict((oc) => oc.columns(['account', 'certificate_id']).doNothing())
      .execute();

  return {
    async states() {
      return (await db.selectFrom('alert_states').selectAll().execute()).map(toState);
    },
    state,
    async acknowledge(account, certificateId, by, at) {
      await ensureRow(account, certificateId);
      // One statement: of two presses at once (or on two replicas) the first one is kept.
      await db
        .updateTable('alert_states')
        .set({ acknowledged_by: by, acknowledged_at: writeTime(at) })
        .where('account', '=', account)
        .where('certificate_id', '=', certificateId)
        .where('acknowledged_by', 'is', null)
        .execute();
      return (await state(account, certificateId)) as StoredAlertState;
    },
    async snooze(account, certificateId, by, until) {
      await ensureRow(account, certificateId);
      await db
        .updateTable('alert_states')
        .set({ snoozed_by: by, snoozed_until: writeTime(until) })
        .where('account', '=', account)
        .where('certificate_id', '=', certificateId)
        .execute();
      return (await state(account, certificateId)) as StoredAlertState;
    },
    async markRenewed(account, certificateId, renewedBy) {
      await ensureRow(account, certificateId);
      await db
        .updateTable('alert_states')
        .set({ renewed_by: renewedBy })
        .where('account', '=', account)
        .where('certificate_id', '=', certificateId)
        .execute();
    },
    async saveMessage(message) {
      await writeTransaction(database, async (trx) => {
        await trx
          .insertInto('alert_messages')
          .values({
            channel: message.channel,
            ts: message.ts,
            posted_at: writeTime(message.postedAt),
            mention: message.mention ?? null,
            items: writeJson(message.items),
            omitted: message.omitted,
          })
          .onConflict((oc) => oc.columns(['channel', 'ts']).doNothing())
          .execute();
        for (const item of message.items)
          await trx
            .insertInto('alert_message_items')
            .values({
              account: item.account,
              certificate_id: item.certificateId,
              channel: message.channel,
              ts: message.ts,
            })
            .onConflict((oc) => oc.columns(['account', 'certificate_id', 'channel', 'ts']).doNothing())
            .execute();
      });
    },
    async message(channel, ts) {
      const row = await db
        .selectFrom('alert_messages')
        .selectAll()
        .where('channel', '=', channel)
        .where('ts', '=', ts)
        .executeTakeFirst();
      return row ? toMessage(row) : undefined;
    },
    async messagesFor(account, certificateId) {
      const rows = await db
        .selectFrom('alert_message_items as i')
        .innerJoin('alert_messages as m', (join) =>
          join.onRef('m.channel', '=', 'i.channel').onRef('m.ts', '=', 'i.ts'),
        )
        .selectAll('m')
        .where('i.account', '=', account)
        .where('i.certificate_id', '=', certificateId)
        .orderBy('m.posted_at')
        .execute();
      return rows.map(toMessage);
    },
  };
}
