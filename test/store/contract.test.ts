import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPostgresStore } from '../../src/store/postgres-store';
import { openSqliteStore } from '../../src/store/sqlite-store';
import type { AuditEntry, ClaimRequest, DigestSnapshot, Store } from '../../src/store/types';
import { freshSchema, requirePostgres } from './postgres-test-db';

/** An empty place for a store (a folder, a schema) and a way to open instances on it. */
interface Place {
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

interface Backend {
  name: string;
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

const T0 = new Date('2025-03-03T09:00:00.000Z');
const PERIOD = '2025-03-03T09:00:00.000Z';
const HOUR = 60 * 60 * 1000;

function claim(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    channel: 'C0AAA',
    period: PERIOD,
    claimedBy: 'host-a:1',
    now: T0,
    staleAfterMs: HOUR,
    ...overrides,
  };
}

function later(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

describe.each([sqlite, postgres])('store contract: $name', (backend) => {
  let place: Place;
  let store: Store;
  const opened: Store[] = [];

  /** Another instance on the same data: another connection pool, or another SQLite handle. */
  async function another(): Promise<Store> {
    const instance = await place.open();
    opened.push(instance);
    return instance;
  }

  beforeAll(() => backend.require());
  beforeEach(async () => {
    place = await backend.fresh();
    store = await another();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await place.dispose();
  });

  test('reports its kind and answers a ping', async () => {
    expect(store.kind).toBe(backend.name);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  test('audit entries come back newest first with their details', async () => {
    const first: AuditEntry = {
      at: T0,
      userId: 'U0ADMIN',
      teamId: 'T0TEAM',
      channelId: 'C0AAA',
      action: 'cert-assign',
      outcome: 'requested',
      details: { dataSourceId: 42, serials: ['a1', 'b2'], nested: { dryRun: false, note: null } },
      requestId: 'req-1',
    };
    const second: AuditEntry = {
      at: later(1000),
      userId: 'U0OTHER',
      action: 'cert-assign',
      outcome: 'denied',
      details: {},
    };
    await store.recordAudit(first);
    await store.recordAudit(second);

    const entries = await store.listAudit(10);
    expect(entries).toEqual([{ ...second, teamId: undefined, channelId: undefined, requestId: undefined }, first]);
    expect(entries[1].at.getTime()).toBe(T0.getTime());
    expect(await store.listAudit(1)).toHaveLength(1);
  });

  test('a (channel, period) is claimed once', async () => {
    expect(await store.claimDigest(claim())).toBe(true);
    expect(await store.claimDigest(claim({ claimedBy: 'host-b:2' }))).toBe(false);
    expect(await store.claimDigest(claim())).toBe(false);
    const entry = await store.getDigest('C0AAA', PERIOD);
    expect(entry).toMatchObject({ channel: 'C0AAA', period: PERIOD, status: 'claimed', claimedBy: 'host-a:1' });
    expect(entry?.claimedAt.getTime()).toBe(T0.getTime());
    expect(entry?.finishedAt).toBeUndefined();
  });

  test('another channel or another period is claimed independently', async () => {
    expect(await store.claimDigest(claim())).toBe(true);
    expect(await store.claimDigest(claim({ channel: 'C0BBB' }))).toBe(true);
    expect(await store.claimDigest(claim({ period: '2025-03-10T09:00:00.000Z' }))).toBe(true);
    expect(await store.getDigest('C0CCC', PERIOD)).toBeUndefined();
  });

  test('finishing records the status, message ts and error', async () => {
    await store.claimDigest(claim());
    await store.claimDigest(claim({ channel: 'C0BBB' }));
    await store.finishDigest('C0AAA', PERIOD, { status: 'posted', messageTs: '1700000000.000100', now: later(5000) });
    await store.finishDigest('C0BBB', PERIOD, { status: 'failed', error: 'not_in_channel: invite', now: later(6000) });

    const posted = await store.getDigest('C0AAA', PERIOD);
    expect(posted).toMatchObject({ status: 'posted', messageTs: '1700000000.000100', error: undefined });
    expect(posted?.finishedAt?.getTime()).toBe(later(5000).getTime());
    expect(await store.getDigest('C0BBB', PERIOD)).toMatchObject({
      status: 'failed',
      messageTs: undefined,
      error: 'not_in_channel: invite',
    });
  });

  test('a released claim can be claimed again, but only its holder releases it', async () => {
    await store.claimDigest(claim());
    await store.releaseDigest('C0AAA', PERIOD, 'host-b:2');
    expect(await store.claimDigest(claim({ claimedBy: 'host-b:2' }))).toBe(false);

    await store.releaseDigest('C0AAA', PERIOD, 'host-a:1');
    expect(await store.getDigest('C0AAA', PERIOD)).toBeUndefined();
    expect(await store.claimDigest(claim({ claimedBy: 'host-b:2', now: later(1000) }))).toBe(true);
    expect(await store.getDigest('C0AAA', PERIOD)).toMatchObject({ claimedBy: 'host-b:2' });
  });

  test('releasing a finished digest leaves it in place', async () => {
    await store.claimDigest(claim());
    await store.finishDigest('C0AAA', PERIOD, { status: 'posted', messageTs: '1.2', now: later(1000) });
    await store.releaseDigest('C0AAA', PERIOD, 'host-a:1');
    expect(await store.getDigest('C0AAA', PERIOD)).toMatchObject({ status: 'posted' });
  });

  test('a stale claim can be taken over; a fresh one cannot', async () => {
    await store.claimDigest(claim());
    expect(await store.claimDigest(claim({ claimedBy: 'host-b:2', now: later(HOUR - 1) }))).toBe(false);
    expect(await store.claimDigest(claim({ claimedBy: 'host-b:2', now: later(HOUR + 1) }))).toBe(true);
    const entry = await store.getDigest('C0AAA', PERIOD);
    expect(entry).toMatchObject({ status: 'claimed', claimedBy: 'host-b:2' });
    expect(entry?.claimedAt.getTime()).toBe(later(HOUR + 1).getTime());
    // The takeover is itself a fresh claim.
    expect(await store.claimDigest(claim({ claimedBy: 'host-c:3', now: later(HOUR + 2) }))).toBe(false);
  });

  test('a posted or failed digest is never taken over, however old, unless forced', async () => {
    await store.claimDigest(claim());
    await store.claimDigest(claim({ channel: 'C0BBB' }));
    await store.finishDigest('C0AAA', PERIOD, { status: 'posted', messageTs: '1.2', now: later(1000) });
    await store.finishDigest('C0BBB', PERIOD, { status: 'failed', error: 'boom', now: later(1000) });
    const muchLater = later(100 * HOUR);
    expect(await store.claimDigest(claim({ claimedBy: 'host-b:2', now: muchLater }))).toBe(false);
    expect(await store.claimDigest(claim({ channel: 'C0BBB', claimedBy: 'host-b:2', now: muchLater }))).toBe(false);
    expect(await store.getDigest('C0AAA', PERIOD)).toMatchObject({ status: 'posted', claimedBy: 'host-a:1' });
  });

  test('force claims a posted digest again, clearing its outcome', async () => {
    await store.claimDigest(claim());
    await store.finishDigest('C0AAA', PERIOD, { status: 'posted', messageTs: '1.2', now: later(1000) });
    expect(await store.claimDigest(claim({ claimedBy: 'cli:9', now: later(2000), force: true }))).toBe(true);
    const entry = await store.getDigest('C0AAA', PERIOD);
    expect(entry).toMatchObject({
      status: 'claimed',
      claimedBy: 'cli:9',
      messageTs: undefined,
      error: undefined,
      finishedAt: undefined,
    });
    expect(entry?.claimedAt.getTime()).toBe(later(2000).getTime());
    // Force on a free (channel, period) is an ordinary claim.
    expect(await store.claimDigest(claim({ channel: 'C0NEW', force: true }))).toBe(true);
  });

  test('snapshots are saved, replaced, and the latest strictly earlier one is "previous"', async () => {
    const snapshot = (period: string, totalRisk: number, point?: number): DigestSnapshot => ({
      period,
      takenAt: new Date(period),
      point,
      risks: { expired: totalRisk, expiring: 1, revoked: 0 },
      totalRisk,
    });
    const feb17 = '2025-02-17T09:00:00.000Z';
    const feb24 = '2025-02-24T09:00:00.000Z';
    const mar03 = '2025-03-03T09:00:00.000Z';
    expect(await store.previousSnapshot(mar03)).toBeUndefined();
    await store.saveSnapshot(snapshot(feb24, 7, 81.5));
    await store.saveSnapshot(snapshot(feb17, 3));
    await store.saveSnapshot(snapshot(mar03, 9));

    expect(await store.previousSnapshot(mar03)).toEqual(snapshot(feb24, 7, 81.5));
    expect(await store.previousSnapshot(feb24)).toEqual(snapshot(feb17, 3));
    expect(await store.previousSnapshot(feb17)).toBeUndefined();
    expect(await store.previousSnapshot('2025-03-10T09:00:00.000Z')).toEqual(snapshot(mar03, 9));

    // The same period saved again (a forced re-post) replaces its numbers.
    await store.saveSnapshot({ ...snapshot(feb24, 12), takenAt: later(HOUR) });
    expect(await store.previousSnapshot(mar03)).toEqual({ ...snapshot(feb24, 12), takenAt: later(HOUR) });
  });

  test('the ledger lists newest period first, channels in order', async () => {
    const mar10 = '2025-03-10T09:00:00.000Z';
    await store.claimDigest(claim({ channel: 'C0BBB' }));
    await store.claimDigest(claim({ channel: 'C0AAA', period: mar10 }));
    await store.claimDigest(claim({ channel: 'C0AAA' }));
    await store.claimDigest(claim({ channel: 'C0BBB', period: mar10 }));

    const keys = (await store.listDigests(10)).map((e) => `${e.period} ${e.channel}`);
    expect(keys).toEqual([`${mar10} C0AAA`, `${mar10} C0BBB`, `${PERIOD} C0AAA`, `${PERIOD} C0BBB`]);
    expect(await store.listDigests(3)).toHaveLength(3);
  });

  test('of 20 instances claiming the same (channel, period) at once, exactly one wins', async () => {
    const instances = await Promise.all(Array.from({ length: 20 }, () => another()));
    const results = await Promise.all(
      instances.map((instance, i) => instance.claimDigest(claim({ claimedBy: `host-${i}:1` }))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.getDigest('C0AAA', PERIOD)).toMatchObject({ status: 'claimed', claimedBy: `host-${winner}:1` });
  });

  test('of 20 instances taking over the same stale claim at once, exactly one wins', async () => {
    await store.claimDigest(claim());
    const instances = await Promise.all(Array.from({ length: 20 }, () => another()));
    const results = await Promise.all(
      instances.map((instance, i) => instance.claimDigest(claim({ claimedBy: `host-${i}:1`, now: later(2 * HOUR) }))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
