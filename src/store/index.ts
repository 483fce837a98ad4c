import type { Config } from '../config';
import { openPostgresStore } from './postgres-store';
import { openSqliteStore } from './sqlite-store';
import type { Store } from './types';

/** The store the configuration asks for: PostgreSQL when DATABASE_URL is set (replicas), else the SQLite file. */
export async function openStore(config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL'>): Promise<Store> {
  if (config.DATABASE_URL) return openPostgresStore(config.DATABASE_URL);
  return openSqliteStore(config.DATA_DIR);
}
