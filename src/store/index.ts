import type { Store } from './types';

/** Where the store lives, as the configuration names it: PostgreSQL's URL, or SQLite's folder. */
export interface StoreLocation {
  DATA_DIR: string;
  DATABASE_URL?: string;
}

/** The store the configuration asks for: PostgreSQL when DATABASE_URL is set (replicas), else the SQLite file. */
export async function openStore(config: StoreLocation): Promise<Store> {
  // Each driver is loaded only when it is the one configured.
  if (config.DATABASE_URL) return (await import('./postgres-store')).openPostgresStore(config.DATABASE_URL);
  return (await import('./sqlite-store')).openSqliteStore(config.DATA_DIR);
}
