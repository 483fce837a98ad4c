import type { Certificate } from '../../../src/domain/certificate';
import type { InventoryCertificate } from '../../../src/store/types';
import { describeContract, HOUR, later, T0 } from './backends';

const ACCOUNT = 'LTAI5tExampleAccessKey';

/** A certificate with every field of the model set (as certificateFromOrder returns it). */
function cert(id: string, overrides: Partial<Certificate> = {}, account = ACCOUNT): Certificate {
  return {
    account,
    id,
    certificateId: id,
    instanceId: `cas-cn-${id}`,
    name: `cert-${id}`,
    commonName: `${id}.example.com`,
    sans: [`${id}.example.com`, `www.${id}.example.com`],
    issuer: 'DigiCert',
    serialNo: `0a:${id}`,
    fingerprint: `fp${id}`,
    startDate: '2025-01-01',
    endDate: '2026-01-01',
    expired: false,
    uploaded: false,
    status: 'ISSUED',
    resourceGroupId: 'rg-default',
    ...overrides,
  };
}

const ids = (rows: InventoryCertificate[]) => rows.map((row) => row.certificate.id);
const sync = (at: Date, extra: { pages?: number; calls?: number } = {}) => ({
  startedAt: new Date(at.getTime() - 60_000),
  finishedAt: at,
  ...extra,
});

describeContract('inventory store contract', ({ store, another }) => {
  test('a first replace writes every certificate, first and last seen at the sync time', async () => {
    const certificates = ['3', '1', '2'].map((id) => cert(id));
    const changes = await store().inventory.replace(ACCOUNT, certificates, sync(T0, { pages: 1, calls: 1 }));
    expect(changes).toEqual({ certificates: 3, added: 3, changed: 0, removed: 0 });

    const rows = await store().inventory.list({ account: ACCOUNT });
    expect(rows).toStrictEqual(
      ['1', '2', '3'].map((id) => ({ certificate: cert(id), firstSeen: T0, lastSeen: T0, removedAt: undefined })),
    );
  });

  test('a second replace reports exactly what was removed, added and changed, and keeps the removed rows', async () => {
    const inventory = store().inventory;
    const first = ['1', '2', '3', '4', '5', '6'].map((id) => cert(id));
    await inventory.replace(ACCOUNT, first, sync(T0));

    const t1 = later(HOUR);
    const second = [
      cert('1'), // unchanged
      cert('2', { endDate: '2027-01-01' }), // renewed in place
      cert('3', { sans: ['www.3.example.com', '3.example.com'] }), // same names, other order
      cert('4'), // unchanged
      cert('7'),
      cert('8'),
      cert('9'),
    ]; // 5 and 6 are gone
    expect(await inventory.replace(ACCOUNT, second, sync(t1))).toEqual({
      certificates: 7,
      added: 3,
      changed: 2,
      removed: 2,
    });

    const present = await inventory.list({ account: ACCOUNT });
    expect(ids(present)).toEqual(['1', '2', '3', '4', '7', '8', '9']);
    const byId = new Map(present.map((row) => [row.certificate.id, row]));
    // Unchanged and changed ones keep when they were first seen; all were seen now.
    for (const id of ['1', '2', '3', '4']) expect(byId.get(id)).toMatchObject({ firstSeen: T0, lastSeen: t1 });
    for (const id of ['7', '8', '9']) expect(byId.get(id)).toMatchObject({ firstSeen: t1, lastSeen: t1 });
    expect(byId.get('2')?.certificate).toStrictEqual(second[1]);
    expect(byId.get('3')?.certificate.sans).toEqual(['www.3.example.com', '3.example.com']);
    for (const row of present) expect(row.removedAt).toBeUndefined();

    const all = await inventory.list({ account: ACCOUNT, includeRemoved: true });
    expect(ids(all)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const removed = all.filter((row) => row.removedAt);
    expect(removed).toStrictEqual(
      ['5', '6'].map((id) => ({ certificate: cert(id), firstSeen: T0, lastSeen: T0, removedAt: t1 })),
    );

    // The same picture again changes nothing but last_seen.
    const t2 = later(2 * HOUR);
    expect(await inventory.replace(ACCOUNT, second, sync(t2))).toEqual({
      certificates: 7,
      added: 0,
      changed: 0,
      removed: 0,
    });
    const again = await inventory.list({ account: ACCOUNT, includeRemoved: true });
    expect(again.find((row) => row.certificate.id === '1')).toMatchObject({ firstSeen: T0, lastSeen: t2 });
    expect(again.find((row) => row.certificate.id === '5')).toMatchObject({ lastSeen: T0, removedAt: t1 });
  });

  test('a change to any one field of the model counts as changed', async () => {
    const inventory = store().inventory;
    const base = cert('42');
    await inventory.replace(ACCOUNT, [base], sync(T0));
    const variants: Partial<Certificate>[] = [
      { certificateId: '43' },
      { certificateId: undefined },
      { instanceId: 'cas-cn-other' },
      { name: undefined },
      { name: '' },
      { commonName: '42.example.org' },
      { sans: [] },
      { sans: ['42.example.com'] },
      { issuer: "Let's Encrypt" },
      { serialNo: '0b:42' },
      { fingerprint: 'FP42' },
      { startDate: '2025-01-02' },
      { endDate: undefined },
      { expired: true },
      { uploaded: true },
      { status: 'EXPIRED' },
      { resourceGroupId: undefined },
    ];
    let previous = base;
    for (const [index, variant] of variants.entries()) {
      const next = { ...base, ...variant };
      const changes = await inventory.replace(ACCOUNT, [next], sync(later((index + 1) * HOUR)));
      expect({ variant, changes }).toEqual({ variant, changes: { certificates: 1, added: 0, changed: 1, removed: 0 } });
      expect((await inventory.list())[0].certificate).toStrictEqual(next);
      previous = next;
    }
    expect(await inventory.replace(ACCOUNT, [previous], sync(later(100 * HOUR)))).toMatchObject({ changed: 0 });
  });

  test('a removed certificate that comes back is present again, counted as added', async () => {
    const inventory = store().inventory;
    await inventory.replace(ACCOUNT, [cert('1'), cert('2')], sync(T0));
    await inventory.replace(ACCOUNT, [cert('1')], sync(later(HOUR)));
    expect(ids(await inventory.list())).toEqual(['1']);

    const back = cert('2', { status: 'ISSUED', endDate: '2026-06-01' });
    const t2 = later(2 * HOUR);
    expect(await inventory.replace(ACCOUNT, [cert('1'), back], sync(t2))).toEqual({
      certificates: 2,
      added: 1,
      changed: 0,
      removed: 0,
    });
    const rows = await inventory.list({ includeRemoved: true });
    expect(rows[1]).toStrictEqual({ certificate: back, firstSeen: T0, lastSeen: t2, removedAt: undefined });
  });

  test('every field round-trips exactly: a 20-digit id, missing fields, hostile strings', async () => {
    const inventory = store().inventory;
    const hostile = [
      `Robert'); DROP TABLE certificates;--`,
      '" OR 1=1 -- \\ %_ $1 ? :name',
      'line one\nline two\r\n\ttabbed',
      'émoji 🔐 ünïcødé 証明書 \u202eRTL\u202c \u2028 \ufeff zero\u200bwidth',
      '<script>alert(1)</script> &amp; *bold* `code` <@U123>',
      '   leading and trailing   ',
      'x'.repeat(10_000),
      '{"json":"text"}',
      'NULL',
    ];
    const exact = cert('98765432109876543210', {
      name: hostile[0],
      commonName: hostile[3],
      sans: hostile,
      issuer: hostile[1],
      serialNo: hostile[2],
      fingerprint: hostile[4],
      startDate: 'not a date',
      endDate: '9999-12-31',
      expired: true,
      uploaded: true,
      status: hostile[5],
      resourceGroupId: hostile[6],
    });
    const sparse: Certificate = {
      account: ACCOUNT,
      id: 'cas-cn-pending order',
      certificateId: undefined,
      instanceId: 'cas-cn-pending order',
      name: undefined,
      commonName: undefined,
      sans: [],
      issuer: undefined,
      serialNo: undefined,
      fingerprint: undefined,
      startDate: undefined,
      endDate: undefined,
      expired: false,
      uploaded: false,
      status: undefined,
      resourceGroupId: undefined,
    };
    const safeInteger = cert('9007199254740993'); // 2^53 + 1: not a safe JavaScript number
    const input = [exact, sparse, safeInteger];
    await inventory.replace(ACCOUNT, input, sync(T0));

    const rows = await inventory.list({ account: ACCOUNT });
    expect(rows.map((row) => row.certificate)).toStrictEqual([safeInteger, exact, sparse]);
    // What was read back compares equal to what a sync sends again: nothing changed.
    expect(await inventory.replace(ACCOUNT, input, sync(later(HOUR)))).toEqual({
      certificates: 3,
      added: 0,
      changed: 0,
      removed: 0,
    });
  });

  test('characters no database can keep (NUL, lone surrogates) are kept as U+FFFD, on both alike', async () => {
    const inventory = store().inventory;
    const odd = cert('7', { name: 'a\u0000b', commonName: 'lone \ud800 high', sans: ['\udc00low', 'pair 😀'] });
    await inventory.replace(ACCOUNT, [odd], sync(T0));
    const [row] = await inventory.list();
    expect(row.certificate).toStrictEqual({
      ...odd,
      name: 'a\ufffdb',
      commonName: 'lone \ufffd high',
      sans: ['\ufffdlow', 'pair 😀'],
    });
    // The next sync sends the same odd strings: not a change.
    expect(await inventory.replace(ACCOUNT, [odd], sync(later(HOUR)))).toMatchObject({ added: 0, changed: 0 });
  });

  test('duplicated ids in one sync are merged, the last one winning', async () => {
    const inventory = store().inventory;
    const changes = await inventory.replace(
      ACCOUNT,
      [cert('1', { name: 'first' }), cert('2'), cert('1', { name: 'last' })],
      sync(T0),
    );
    expect(changes).toEqual({ certificates: 2, added: 2, changed: 0, removed: 0 });
    expect((await inventory.list()).map((row) => [row.certificate.id, row.certificate.name])).toEqual([
      ['1', 'last'],
      ['2', 'cert-2'],
    ]);
  });

  test('a certificate of another account is refused before anything is written', async () => {
    const inventory = store().inventory;
    await expect(inventory.replace(ACCOUNT, [cert('1', {}, 'other')], sync(T0))).rejects.toThrow(
      /belongs to account other/,
    );
    expect(await inventory.list({ includeRemoved: true })).toEqual([]);
    expect(await inventory.syncState()).toEqual({ lastSuccess: undefined, lastAttempt: undefined });
  });

  test('accounts are independent; listing all orders by account, then id (as text)', async () => {
    const inventory = store().inventory;
    await inventory.replace(
      'b-account',
      ['9', '10', '100'].map((id) => cert(id, {}, 'b-account')),
      sync(T0),
    );
    await inventory.replace(
      'a-account',
      ['2', '1'].map((id) => cert(id, {}, 'a-account')),
      sync(T0),
    );
    // Replacing one account with nothing removes its certificates only.
    expect(await inventory.replace('a-account', [], sync(later(HOUR)))).toEqual({
      certificates: 0,
      added: 0,
      changed: 0,
      removed: 2,
    });
    const rows = await inventory.list();
    expect(rows.map((row) => [row.certificate.account, row.certificate.id])).toEqual([
      ['b-account', '10'],
      ['b-account', '100'],
      ['b-account', '9'],
    ]);
    expect((await inventory.list({ includeRemoved: true })).map((row) => row.certificate.account)).toEqual([
      'a-account',
      'a-account',
      'b-account',
      'b-account',
      'b-account',
    ]);
    expect(await inventory.list({ account: 'a-account' })).toEqual([]);
    expect(ids(await inventory.list({ account: 'b-account' }))).toEqual(['10', '100', '9']);
    // The same id in two accounts is two certificates.
    await inventory.replace('a-account', [cert('9', { name: 'in a' }, 'a-account')], sync(later(2 * HOUR)));
    expect((await inventory.list()).map((row) => [row.certificate.account, row.certificate.name])).toEqual([
      ['a-account', 'in a'],
      ['b-account', 'cert-10'],
      ['b-account', 'cert-100'],
      ['b-account', 'cert-9'],
    ]);
  });

  test('a replace whose write fails midway leaves the previous inventory exactly as it was', async () => {
    const inventory = store().inventory;
    const before = Array.from({ length: 1_200 }, (_, i) => cert(String(1_000 + i)));
    await inventory.replace(ACCOUNT, before, sync(T0));
    await inventory.replace(ACCOUNT, before.slice(100), sync(later(HOUR))); // 100 removed rows too
    const previous = await inventory.list({ includeRemoved: true });
    const previousState = await inventory.syncState(ACCOUNT);

    // Changes, additions and removals in the first statements, then a row the database refuses
    // (a malformed certificate past the type checks) in the last one.
    const malformed = { ...cert('x'), id: null } as unknown as Certificate;
    const failing = [
      ...before.slice(0, 50), // back
      ...before.slice(150, 1_100).map((c) => ({ ...c, endDate: '2030-01-01' })), // changed, the rest removed
      ...Array.from({ length: 600 }, (_, i) => cert(String(5_000 + i))), // new
      malformed,
    ];
    // Not `rejects.toThrow`: better-sqlite3's errors may come from another jest realm (the native
    // module keeps the first test file's error class), which `toThrow` does not recognise.
    const failure: unknown = await inventory.replace(ACCOUNT, failing, sync(later(2 * HOUR))).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    expect(String((failure as { message?: unknown }).message)).toMatch(/NOT NULL|null value in column "id"/);

    expect(await inventory.list({ includeRemoved: true })).toStrictEqual(previous);
    expect(await inventory.syncState(ACCOUNT)).toEqual(previousState);

    // The store is not left inside a transaction or holding a lock: this and another instance write.
    expect(await inventory.replace(ACCOUNT, before, sync(later(3 * HOUR)))).toMatchObject({ added: 100 });
    const other = await another();
    await other.inventory.replace(ACCOUNT, before.slice(0, 10), sync(later(4 * HOUR)));
    expect((await inventory.list()).length).toBe(10);
  });

  test('sync state: the latest success and the latest attempt, per account or of any account', async () => {
    const inventory = store().inventory;
    expect(await inventory.syncState()).toEqual({ lastSuccess: undefined, lastAttempt: undefined });

    await inventory.replace(ACCOUNT, [cert('1'), cert('2')], sync(T0, { pages: 2, calls: 3 }));
    const ok = {
      account: ACCOUNT,
      startedAt: new Date(T0.getTime() - 60_000),
      finishedAt: T0,
      status: 'ok',
      changes: { certificates: 2, added: 2, changed: 0, removed: 0 },
      pages: 2,
      calls: 3,
      error: undefined,
      id: expect.any(String),
    };
    expect(await inventory.syncState(ACCOUNT)).toEqual({ lastSuccess: ok, lastAttempt: ok });

    const failure = {
      account: ACCOUNT,
      startedAt: later(HOUR),
      finishedAt: later(HOUR + 5_000),
      pages: 2,
      calls: 4,
      error: {
        kind: 'throttled',
        code: 'Throttling.User',
        message: 'CAS throttled the request. Lower CAS_QPS',
        requestId: 'B5E1-7C',
      },
    };
    await inventory.recordFailure(failure);
    const failed = { ...failure, status: 'failed', changes: undefined, id: expect.any(String) };
    expect(await inventory.syncState(ACCOUNT)).toEqual({ lastSuccess: ok, lastAttempt: failed });
    // A failure leaves the inventory alone.
    expect(ids(await inventory.list())).toEqual(['1', '2']);

    // A failure with only a message, of another account, later than all.
    const bare = {
      account: 'other',
      startedAt: later(2 * HOUR),
      finishedAt: later(2 * HOUR),
      error: { message: 'unexpected error' },
    };
    await inventory.recordFailure(bare);
    const bareRecord = {
      ...bare,
      status: 'failed',
      changes: undefined,
      pages: undefined,
      calls: undefined,
      error: { kind: undefined, code: undefined, message: 'unexpected error', requestId: undefined },
      id: expect.any(String),
    };
    expect(await inventory.syncState('other')).toEqual({ lastSuccess: undefined, lastAttempt: bareRecord });
    expect(await inventory.syncState()).toEqual({ lastSuccess: ok, lastAttempt: bareRecord });
    expect(await inventory.syncState(ACCOUNT)).toEqual({ lastSuccess: ok, lastAttempt: failed });

    // A later success is both again; of two syncs finished at the same instant, the later recorded wins.
    const t3 = later(3 * HOUR);
    await inventory.replace(ACCOUNT, [cert('1')], sync(t3));
    await inventory.replace(ACCOUNT, [cert('1'), cert('3')], sync(t3));
    const state = await inventory.syncState(ACCOUNT);
    expect(state.lastSuccess).toEqual(state.lastAttempt);
    expect(state.lastAttempt).toMatchObject({
      status: 'ok',
      finishedAt: t3,
      changes: { certificates: 2, added: 1, changed: 0, removed: 0 },
    });
    expect(state.lastAttempt?.pages).toBeUndefined();
  });

  test('two instances on the same data see the same inventory', async () => {
    const first = store();
    const second = await another();
    await first.inventory.replace(ACCOUNT, [cert('1'), cert('2')], sync(T0));
    expect(await second.inventory.list()).toStrictEqual(await first.inventory.list());
    expect(await second.inventory.syncState()).toEqual(await first.inventory.syncState());

    expect(await second.inventory.replace(ACCOUNT, [cert('2'), cert('3')], sync(later(HOUR)))).toEqual({
      certificates: 2,
      added: 1,
      changed: 0,
      removed: 1,
    });
    const seen = await first.inventory.list({ includeRemoved: true });
    expect(seen).toStrictEqual(await second.inventory.list({ includeRemoved: true }));
    expect(ids(seen)).toEqual(['1', '2', '3']);
    expect(await first.inventory.syncState(ACCOUNT)).toEqual(await second.inventory.syncState(ACCOUNT));
  });

  test('a reader never sees half a replace', async () => {
    const writer = store();
    const reader = await another();
    const old = Array.from({ length: 3_000 }, (_, i) => cert(`old-${i}`));
    const fresh = Array.from({ length: 3_000 }, (_, i) => cert(`new-${i}`));
    await writer.inventory.replace(ACCOUNT, old, sync(T0));

    let done = false;
    const replacing = writer.inventory.replace(ACCOUNT, fresh, sync(later(HOUR))).finally(() => (done = true));
    const seen = new Set<string>();
    while (!done) {
      const rows = await reader.inventory.list({ account: ACCOUNT });
      const prefixes = new Set(rows.map((row) => row.certificate.id.split('-')[0]));
      seen.add(`${rows.length} ${[...prefixes].join(',')}`);
    }
    await replacing;
    seen.add(`${(await reader.inventory.list()).length} new`);
    expect([...seen].every((view) => view === '3000 old' || view === '3000 new')).toBe(true);
  });

  test('50,000 certificates are replaced in one sync, and again with a few changes', async () => {
    const inventory = store().inventory;
    const many = Array.from({ length: 50_000 }, (_, i) =>
      cert(String(20_000_000 + i), { endDate: `2026-${String((i % 12) + 1).padStart(2, '0')}-15` }),
    );
    expect(await inventory.replace(ACCOUNT, many, sync(T0))).toEqual({
      certificates: 50_000,
      added: 50_000,
      changed: 0,
      removed: 0,
    });
    const next = [...many.slice(100, 49_900), ...many.slice(49_900).map((c) => ({ ...c, expired: true })), cert('1')];
    expect(await inventory.replace(ACCOUNT, next, sync(later(HOUR)))).toEqual({
      certificates: 49_901,
      added: 1,
      changed: 100,
      removed: 100,
    });
    const rows = await inventory.list({ account: ACCOUNT });
    expect(rows.length).toBe(49_901);
    expect(rows.every((row) => row.lastSeen.getTime() === later(HOUR).getTime())).toBe(true);
    // Each swap also derives the account's replacements (about 5 s at 50,000 on PostgreSQL on a
    // busy machine): not a timing test.
  }, 120_000);
});
