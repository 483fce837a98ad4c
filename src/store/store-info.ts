import { type Database, readTime, writeTime } from './database';
import type { StoreInfo } from './types';

/** Facts about the store itself: when it was created. */
export function storeInfo({ db }: Database): StoreInfo {
  const createdAt = async () => {
    const row = await db.selectFrom('store_info').select('created_at').where('id', '=', 1).executeTakeFirst();
    return row ? readTime(row.created_at) : undefined;
  };
  return {
    createdAt,
    async recordCreation(at) {
      // Replicas opening a new store at once: the first one's time stands, the others read it.
      await db
        .insertInto('store_info')
        .values({ id: 1, created_at: writeTime(at) })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
      return (await createdAt()) ?? at;
    },
  };
}
