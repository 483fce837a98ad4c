import { type Database, readJson, readTime, writeJson, writeTime } from './database';
import type { ConfirmationStore } from './types';

/** Pending confirmations, stored by the command and looked up by the button's nonce. */
export function confirmationStore({ db }: Database): ConfirmationStore {
  return {
    async save(confirmation) {
      await db
        .insertInto('confirmations')
        .values({
          nonce: confirmation.nonce,
          kind: confirmation.kind,
          requester: confirmation.requester,
          payload: writeJson(confirmation.payload),
          created_at: writeTime(confirmation.createdAt),
          expires_at: writeTime(confirmation.expiresAt),
        })
        .execute();
    },
    async get(nonce) {
      const row = await db.selectFrom('confirmations').selectAll().where('nonce', '=', nonce).executeTakeFirst();
      if (!row) return undefined;
      return {
        nonce: row.nonce,
        kind: row.kind,
        requester: row.requester,
        payload: readJson<Record<string, unknown>>(row.payload),
        createdAt: readTime(row.created_at),
        expiresAt: readTime(row.expires_at),
      };
    },
  };
}
