import type { CasClient } from '../../src/cas/client';
import {
  accountUserId,
  CONTROL_PREFIX,
  connectSandbox,
  type Dataset,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  generateDataset,
  type Sandbox,
  sandboxAccessKey,
  startSandbox,
} from '../../src/sandbox';
import { clientFor } from '../helpers/cas';
import { callCas, failureOf, sandboxClient } from './cas-client';

const SSL = '2020-04-07';
const PROD = sandboxAccessKey(1);
const STAGING = sandboxAccessKey(2);
const PROD_SEED = 11;
const STAGING_SEED = 12;

/** The serials ListUserCertificateOrder (OrderType CERT, no Status) lists: the valid certificates. */
const validSerials = (dataset: Dataset) =>
  dataset.certificates
    .filter((cert) => cert.status === 'ISSUED' || cert.status === 'WILLEXPIRED')
    .map((cert) => cert.serialNo)
    .sort();

const keyOf = (pair: { accessKeyId: string; accessKeySecret: string }) => ({
  accessKeyId: pair.accessKeyId,
  accessKeySecret: pair.accessKeySecret,
});

describe('several accounts in one simulator', () => {
  let sandbox: Sandbox;
  const clients: CasClient[] = [];
  const casClient = (pair: { accessKeyId: string; accessKeySecret: string }) => {
    const client = clientFor(sandbox, { ...keyOf(pair), attempts: 1 });
    clients.push(client);
    return client;
  };
  const raw = (pair: { accessKeyId: string; accessKeySecret: string }) => sandboxClient(sandbox, keyOf(pair));

  beforeAll(async () => {
    sandbox = await startSandbox({
      qps: 1000,
      accounts: [
        { name: 'prod', certs: 40, seed: PROD_SEED },
        { name: 'staging', certs: 30, seed: STAGING_SEED },
      ],
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await sandbox.close();
  });
  beforeEach(() => {
    for (const name of sandbox.accountNames) sandbox.account(name).setFaults({ unavailableRate: 0, denyActions: [] });
    sandbox.resetCalls();
  });

  it('lists the accounts, the first being the default one', () => {
    expect(sandbox.accountNames).toEqual(['prod', 'staging']);
    expect(sandbox.dataset).toBe(sandbox.account('prod').dataset);
    expect(sandbox.account('staging').accessKeyIds).toEqual([STAGING.accessKeyId]);
    expect(sandbox.account('prod').accessKeyIds).toEqual([DEFAULT_ACCESS_KEY_ID]);
    expect(() => sandbox.account('nope')).toThrow(new RangeError('no account nope; known: prod, staging'));
  });

  it('answers each key from its own account, through the real CAS client', async () => {
    const list = async (pair: typeof PROD) => {
      const page = await casClient(pair).listCertificatePage({ orderType: 'CERT', pageSize: 1000 }, 1);
      return page.CertificateOrderList.map((row) => row.SerialNo as string).sort();
    };
    const prod = await list(PROD);
    const staging = await list(STAGING);
    expect(prod).toEqual(validSerials(sandbox.account('prod').dataset));
    expect(staging).toEqual(validSerials(sandbox.account('staging').dataset));
    expect(prod.length).toBeGreaterThan(0);
    expect(staging.filter((serial) => prod.includes(serial))).toEqual([]);
    expect(sandbox.calls.map((call) => [call.action, call.account, call.accessKeyId])).toEqual([
      ['ListUserCertificateOrder', 'prod', PROD.accessKeyId],
      ['ListUserCertificateOrder', 'staging', STAGING.accessKeyId],
    ]);
  });

  it('answers unknown for a serial only the other account has', async () => {
    const only = sandbox.account('staging').dataset.certificates.find((cert) => cert.status === 'ISSUED');
    expect(only).toBeDefined();
    const serial = only?.serialNo as string;
    expect(sandbox.account('prod').dataset.certificates.some((cert) => cert.serialNo === serial)).toBe(false);
    expect(await casClient(PROD).getCertificateStatus(serial)).toMatchObject({ Status: 'unknown' });
    expect(await casClient(STAGING).getCertificateStatus(serial)).toMatchObject({ Status: 'good' });
  });

  it('gives each account its own uid, seen in AccessDeniedDetail', async () => {
    sandbox.account('staging').setFaults({ denyActions: ['GetRiskCount'] });
    expect(sandbox.account('staging').userId).toBe(accountUserId(STAGING_SEED));
    expect(sandbox.account('prod').userId).not.toBe(sandbox.account('staging').userId);
    const denied = await failureOf(callCas(raw(STAGING), 'GetRiskCount', SSL));
    expect(denied).toMatchObject({ code: 'NoPermission', statusCode: 403 });
    expect(denied.accessDeniedDetail?.AuthPrincipalOwnerId).toBe(String(accountUserId(STAGING_SEED)));
    // The other account's policy is its own.
    await expect(callCas(raw(PROD), 'GetRiskCount', SSL)).resolves.toHaveProperty('RequestId');
  });

  it('keeps faults per account; the top-level methods act on the default account', async () => {
    sandbox.account('staging').setFaults({ unavailableRate: 1 });
    expect(await failureOf(callCas(raw(STAGING), 'GetRiskCount', SSL))).toMatchObject({ statusCode: 503 });
    await expect(callCas(raw(PROD), 'GetRiskCount', SSL)).resolves.toHaveProperty('RequestId');
    expect(sandbox.account('prod').faults().unavailableRate).toBe(0);

    sandbox.account('staging').setFaults({ unavailableRate: 0 });
    sandbox.setFaults({ unavailableRate: 1 });
    expect(sandbox.account('prod').faults().unavailableRate).toBe(1);
    expect(await failureOf(callCas(raw(PROD), 'GetRiskCount', SSL))).toMatchObject({ statusCode: 503 });
    await expect(callCas(raw(STAGING), 'GetRiskCount', SSL)).resolves.toHaveProperty('RequestId');
    sandbox.setFaults({ unavailableRate: 0 });

    sandbox.account('staging').failNext(1, { status: 500, code: 'InternalError' });
    await expect(callCas(raw(PROD), 'GetRiskCount', SSL)).resolves.toHaveProperty('RequestId');
    expect(await failureOf(callCas(raw(STAGING), 'GetRiskCount', SSL))).toMatchObject({ code: 'InternalError' });
    await expect(callCas(raw(STAGING), 'GetRiskCount', SSL)).resolves.toHaveProperty('RequestId');
    expect(sandbox.account('staging').stats()).toMatchObject({ calls: 4, injected: 2 });
    expect(sandbox.account('prod').stats()).toMatchObject({ calls: 3, injected: 1 });
  });

  it('edits one account without touching the other', async () => {
    const added = sandbox.account('staging').addCertificate({ commonName: 'only-staging.example.com' });
    try {
      const page = async (pair: typeof PROD) =>
        (await callCas(raw(pair), 'ListUserCertificateOrder', SSL, { OrderType: 'CERT', Keyword: 'only-staging' }))
          .TotalCount;
      expect(await page(STAGING)).toBe(1);
      expect(await page(PROD)).toBe(0);
    } finally {
      sandbox.account('staging').removeCertificate(added.certificateId);
    }
  });

  it('records no account when the signature fails', async () => {
    await failureOf(callCas(raw({ ...STAGING, accessKeySecret: 'wrong' }), 'GetRiskCount', SSL));
    expect(sandbox.calls).toHaveLength(1);
    expect(sandbox.calls[0]).toMatchObject({ accessKeyId: STAGING.accessKeyId, code: 'SignatureDoesNotMatch' });
    expect(sandbox.calls[0]?.account).toBeUndefined();
    expect(sandbox.stats().calls).toBe(1);
    expect(sandbox.account('staging').stats().calls).toBe(0);
  });
});

describe('QPS per account', () => {
  let sandbox: Sandbox;
  const SECOND_PROD_KEY = { accessKeyId: 'LTAI5tSandboxProdSecond1', accessKeySecret: 'second-prod-secret' };
  beforeAll(async () => {
    sandbox = await startSandbox({
      certs: 10,
      accounts: [
        {
          name: 'prod',
          qps: 3,
          accessKeys: {
            [DEFAULT_ACCESS_KEY_ID]: DEFAULT_ACCESS_KEY_SECRET,
            [SECOND_PROD_KEY.accessKeyId]: SECOND_PROD_KEY.accessKeySecret,
          },
        },
        { name: 'staging', qps: 5 },
      ],
    });
  });
  afterAll(() => sandbox.close());

  it("counts every key of an account in one window, and never another account's calls", async () => {
    const burst = (pair: typeof PROD, n: number) =>
      Promise.allSettled(
        Array.from({ length: n }, () => callCas(sandboxClient(sandbox, keyOf(pair)), 'GetRiskCount', SSL)),
      );
    const outcomes = (results: PromiseSettledResult<unknown>[]) => results.map((r) => r.status);
    expect(outcomes(await burst(PROD, 3))).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    // prod's window is full; staging's (5 per second) is untouched.
    expect(outcomes(await burst(STAGING, 5))).toEqual(Array(5).fill('fulfilled'));
    // Another key of prod shares prod's window: the CAS limit is per account, not per key.
    const second = await burst(SECOND_PROD_KEY, 1);
    expect(second[0]).toMatchObject({ status: 'rejected', reason: { code: 'Throttling.User', statusCode: 400 } });
    const sixth = await burst(STAGING, 1);
    expect(sixth[0]).toMatchObject({ status: 'rejected', reason: { code: 'Throttling.User' } });
    expect(sandbox.account('prod').stats()).toMatchObject({ calls: 4, throttled: 1 });
    expect(sandbox.account('staging').stats()).toMatchObject({ calls: 6, throttled: 1 });
    expect(sandbox.stats()).toMatchObject({ calls: 10, throttled: 2 });
  });
});

describe('control routes with ?account=', () => {
  let sandbox: Sandbox;
  const control = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}${CONTROL_PREFIX}${route}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  };
  beforeAll(async () => {
    sandbox = await startSandbox({
      qps: 1000,
      certs: 12,
      accounts: [
        { name: 'prod', seed: 1 },
        { name: 'staging', seed: 2, qps: Number.POSITIVE_INFINITY, roles: ['acs:ram::42:role/cert-bot'] },
      ],
    });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.resetCalls());

  it('lists the accounts without secrets', async () => {
    const answer = await control('GET', 'accounts');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({
      accounts: [
        { name: 'prod', accessKeyIds: [PROD.accessKeyId], roles: [], qps: 1000, certificates: 12 },
        {
          name: 'staging',
          accessKeyIds: [STAGING.accessKeyId],
          roles: ['acs:ram::42:role/cert-bot'],
          qps: null,
          certificates: 12,
        },
      ],
    });
    expect(answer.text).not.toContain(PROD.accessKeySecret);
    expect(answer.text).not.toContain(STAGING.accessKeySecret);
  });

  it('answers 404 naming the known accounts for an unknown one', async () => {
    for (const route of ['stats?account=nope', 'calls?account=nope', 'certificates?account=nope']) {
      const answer = await control('GET', route);
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.text)).toEqual({ error: 'no account nope; known: prod, staging' });
    }
  });

  it('scopes calls, stats, reset, faults and edits to the named account', async () => {
    await callCas(sandboxClient(sandbox, keyOf(PROD)), 'GetRiskCount', SSL);
    await callCas(sandboxClient(sandbox, keyOf(STAGING)), 'GetAssetCount', SSL);
    const all = JSON.parse((await control('GET', 'calls')).text) as Array<{ action: string; account?: string }>;
    expect(all.map((c) => [c.action, c.account])).toEqual([
      ['GetRiskCount', 'prod'],
      ['GetAssetCount', 'staging'],
    ]);
    const staging = JSON.parse((await control('GET', 'calls?account=staging')).text) as Array<{ action: string }>;
    expect(staging.map((c) => c.action)).toEqual(['GetAssetCount']);
    expect(JSON.parse((await control('GET', 'stats')).text)).toMatchObject({ calls: 2 });
    expect(JSON.parse((await control('GET', 'stats?account=prod')).text)).toMatchObject({
      calls: 1,
      byAction: { GetRiskCount: 1 },
    });

    expect((await control('POST', 'faults?account=staging', { unavailableRate: 1 })).status).toBe(200);
    expect(await failureOf(callCas(sandboxClient(sandbox, keyOf(STAGING)), 'GetRiskCount', SSL))).toMatchObject({
      statusCode: 503,
    });
    await expect(callCas(sandboxClient(sandbox, keyOf(PROD)), 'GetRiskCount', SSL)).resolves.toBeDefined();
    expect(sandbox.account('staging').faults().unavailableRate).toBe(1);
    expect(sandbox.account('prod').faults().unavailableRate).toBe(0);
    await control('POST', 'faults?account=staging', { unavailableRate: 0 });

    expect(JSON.parse((await control('POST', 'reset?account=staging')).text)).toMatchObject({ calls: 0 });
    expect(sandbox.calls.map((c) => c.account)).toEqual(['prod', 'prod']);

    const before = { prod: sandbox.account('prod').dataset.certificates.length, staging: 12 };
    const added = await control('POST', 'certificates?account=staging', { commonName: 'remote.example.com' });
    expect(added.status).toBe(201);
    expect(sandbox.account('staging').dataset.certificates).toHaveLength(before.staging + 1);
    expect(sandbox.account('prod').dataset.certificates).toHaveLength(before.prod);
    const id = (JSON.parse(added.text) as { certificateIds: number[] }).certificateIds[0];
    expect((await control('GET', `certificates/${id}?account=prod`)).status).toBe(404);
    expect((await control('DELETE', `certificates/${id}?account=staging`)).status).toBe(200);
  });

  it('binds connectSandbox to an account', async () => {
    const staging = connectSandbox(sandbox.url, { account: 'staging' });
    expect(staging.account).toBe('staging');
    const [id] = await staging.addCertificates([{ commonName: 'bound.example.com' }]);
    expect(sandbox.account('staging').dataset.certificates.some((c) => c.certificateId === id)).toBe(true);
    expect(sandbox.account('prod').dataset.certificates.some((c) => c.commonName === 'bound.example.com')).toBe(false);
    await staging.removeCertificate(id as number);

    await callCas(sandboxClient(sandbox, keyOf(PROD)), 'GetRiskCount', SSL);
    await callCas(sandboxClient(sandbox, keyOf(STAGING)), 'GetRiskCount', SSL);
    expect((await staging.calls()).map((c) => c.account)).toEqual(['staging']);
    expect((await staging.forAccount('prod').calls()).map((c) => c.account)).toEqual(['prod']);
    expect((await connectSandbox(sandbox.url).calls()).map((c) => c.account)).toEqual(['prod', 'staging']);
    expect((await staging.accounts()).map((a) => a.name)).toEqual(['prod', 'staging']);
    await expect(connectSandbox(sandbox.url, { account: 'nope' }).stats()).rejects.toThrow(
      /HTTP 404 .*no account nope; known: prod, staging/,
    );
  });
});

describe('account options', () => {
  it('keeps one account named default without `accounts`', async () => {
    const sandbox = await startSandbox({ certs: 5 });
    try {
      expect(sandbox.accountNames).toEqual(['default']);
      await callCas(sandboxClient(sandbox), 'GetRiskCount', SSL);
      expect(sandbox.calls[0]?.account).toBe('default');
      expect(sandbox.account('default').dataset).toBe(sandbox.dataset);
    } finally {
      await sandbox.close();
    }
  });

  it('gives accounts different seeds, keys and data by default', async () => {
    const sandbox = await startSandbox({ certs: 20, seed: 7, accounts: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
    try {
      const seeds = sandbox.accountNames.map((name) => sandbox.account(name).dataset.seed);
      expect(seeds).toEqual([7, 8, 9]);
      expect(sandbox.account('c').accessKeyIds).toEqual([sandboxAccessKey(3).accessKeyId]);
      const serials = sandbox.accountNames.flatMap((name) =>
        sandbox.account(name).dataset.certificates.map((c) => c.serialNo),
      );
      expect(new Set(serials).size).toBe(60);
    } finally {
      await sandbox.close();
    }
  });

  it('refuses ambiguous accounts', async () => {
    await expect(startSandbox({ accounts: [] })).rejects.toThrow(/at least one account/);
    await expect(startSandbox({ accounts: [{ name: 'Prod' }] })).rejects.toThrow(/account name "Prod"/);
    await expect(startSandbox({ accounts: [{ name: 'a' }, { name: 'a', seed: 99 }] })).rejects.toThrow(/twice/);
    await expect(
      startSandbox({
        certs: 5,
        accounts: [
          { name: 'a', seed: 3 },
          { name: 'b', seed: 3 },
        ],
      }),
    ).rejects.toThrow(/same seed 3/);
    await expect(
      startSandbox({
        certs: 5,
        accounts: [
          { name: 'a', accessKeys: { K: 's1' } },
          { name: 'b', accessKeys: { K: 's2' } },
        ],
      }),
    ).rejects.toThrow(/AccessKeyId K belongs to both a and b/);
    await expect(startSandbox({ accounts: [{ name: 'a' }], dataset: generateDataset({ count: 1 }) })).rejects.toThrow(
      /per account/,
    );
    await expect(startSandbox({ certs: 5, accounts: [{ name: 'a', roles: ['role/x'] }] })).rejects.toThrow(
      /not an ARN/,
    );
  });
});
