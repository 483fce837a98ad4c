import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPostgresStore } from '../../../src/store/postgres-store';
import { openSqliteStore } from '../../../src/store/sqlite-store';
import type { Store } from '../../../src/store/types';
import { freshSchema, requirePostgres } from '../postgres-test-db';

/** An empty place for a store (a folder, a schema) and a way to open instances on it. */
export interface Place {
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Fails the suite when the backend cannot be reached. */
  require(): Promise<void>;
  fresh(): Promise<Place>;
}

const sqlite: Backend = {
  name: 'sqlite',
  require: async () => undefined,
  fresh: async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-store-'));
    return {
      open: async () => openSqliteStore(dir),
      dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  },
};

const postgres: Backend = {
  name: 'postgres',
  require: requirePostgres,
  fresh: async () => {
    const test = await freshSchema();
    return { open: () => openPostgresStore(test.url), dispose: test.drop };
  },
};

export const BACKENDS: Backend[] = [sqlite, postgres];

/**
 * Runs a contract suite on every backend, with a fresh place per test and `another()` for a
 * second instance on the same data (another connection pool, or another SQLite handle).
 */
export function describeContract(
  name: string,
  suite: (ctx: { store: () => Store; another: () => Promise<Store>; backend: Backend }) => void,
): void {
  describe.each(BACKENDS)(`${name}: $name`, (backend) => {
    let place: Place;
    let store: Store;
    const opened: Store[] = [];
    const another = async () => {
      const instance = await place.open();
      opened.push(instance);
      return instance;
    };
    beforeAll(() => backend.require());
    beforeEach(async () => {
      place = await backend.fresh();
      store = await another();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
      await place.dispose();
    });
    suite({ store: () => store, another, backend });
  });
}

export const T0 = new Date('2025-03-03T09:00:00.000Z');
export const HOUR = 60 * 60 * 1000;
export const later = (ms: number): Date => new Date(T0.getTime() + ms);
