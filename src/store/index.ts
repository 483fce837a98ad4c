import type { Config } from '../config';
import { openSqliteStore } from './sqlite-store';
import type { Store } from './types';

export * from './types';

/** The store the configuration asks for. */
export async function openStore(config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL'>): Promise<Store> {
  return openSqliteStore(config.DATA_DIR);
}
