import type OpenApi from '@alicloud/openapi-client';
import { certificateOrderPageSchema, certificateStatusResponseSchema, riskCountSchema } from '../../src/cas/schemas';
import {
  CertificateEditError,
  CONTROL_PREFIX,
  DAY_MS,
  formatDate,
  generateDataset,
  type Sandbox,
  type SandboxCertificate,
  spawnSandbox,
  startOfUtcDay,
  startSandbox,
} from '../../src/sandbox';
import { clientFor } from '../helpers/cas';
import { callCas, failureOf, type Query, sandboxClient } from './cas-client';

const SSL = '2020-04-07';
const PCA = '2020-06-30';
/** Dates relative to the real day: the simulator's clock must be real for the signature check. */
const day = (offset: number) => formatDate(startOfUtcDay(Date.now()) + offset * DAY_MS);

let sandbox: Sandbox;
let client: OpenApi;
const base = generateDataset({ count: 60, seed: 5 });

beforeAll(async () => {
  sandbox = await startSandbox({ dataset: structuredClone(base), qps: Number.POSITIVE_INFINITY });
  client = sandboxClient(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.setDataset(structuredClone(base));
  sandbox.setFaults({ failPage: 0 });
  sandbox.resetCalls();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function control(method: string, route: string, body?: unknown, raw?: string): Promise<Answer> {
  const res = await fetch(`${sandbox.url}${CONTROL_PREFIX}${route}`, {
    method,
    headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : undefined,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  expect(res.headers.get('content-type')).toBe('application/json');
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function listPage(query: Query) {
  return certificateOrderPageSchema.parse(await callCas(client, 'ListUserCertificateOrder', SSL, query));
}

async function listIds(query: Query): Promise<number[]> {
  const page = await listPage({ ShowSize: 1000, ...query });
  return page.CertificateOrderList.map((row) => Number(row.CertificateId));
}

async function risk() {
  return riskCountSchema.parse(await callCas(client, 'GetRiskCount', SSL));
}

async function statusOf(serial: string) {
  const body = await callCas(client, 'DescribeClientCertificateStatusForSerialNumber', PCA, { SerialNumber: serial });
  return certificateStatusResponseSchema.parse(body).CertificateStatus[0];
}

const highestId = () => Math.max(...base.certificates.map((c) => c.certificateId));

describe('POST /_sandbox/certificates', () => {
  it('adds a certificate that every operation sees at once', async () => {
    const before = await risk();
    const answer = await control('POST', 'certificates', {
      commonName: 'new.example.com',
      sans: ['new.example.com', 'api.new.example.com'],
      startDate: day(-80),
      endDate: day(10),
      issuer: "Let's Encrypt R11",
      orderType: 'UPLOAD',
      serialNo: '0A:1B:2C:3D',
    });
    expect(answer.status).toBe(201);
    const id = highestId() + 1;
    expect(answer.body.certificateIds).toEqual([id]);

    const page = await listPage({ OrderType: 'UPLOAD', ShowSize: 1000 });
    const row = page.CertificateOrderList.find((r) => Number(r.CertificateId) === id);
    expect(row).toMatchObject({
      CommonName: 'new.example.com',
      Sans: 'new.example.com,api.new.example.com',
      StartDate: day(-80),
      EndDate: day(10),
      Issuer: "Let's Encrypt R11",
      SerialNo: '0A1B2C3D',
      Upload: true,
      Expired: false,
      Status: 'WILLEXPIRED',
    });
    expect(await listIds({ OrderType: 'CERT' })).toContain(id);
    const after = await risk();
    expect(after.UploadCertificateWillExpiredCount).toBe(before.UploadCertificateWillExpiredCount + 1);
    expect(after.UploadCertificateNotDeploymentCount).toBe(before.UploadCertificateNotDeploymentCount + 1);
    expect(await statusOf('0a1b2c3d')).toMatchObject({ Status: 'good' });
  });

  it('adds several at once and fills in what was left out', async () => {
    const answer = await control('POST', 'certificates', [{}, { endDate: day(-3) }, { commonName: '*.w.example.com' }]);
    expect(answer.status).toBe(201);
    const first = highestId() + 1;
    expect(answer.body.certificateIds).toEqual([first, first + 1, first + 2]);
    const [plain, expired, wildcard] = answer.body.certificates as SandboxCertificate[];
    expect(plain).toMatchObject({
      commonName: `added-${first}.example.com`,
      sans: `added-${first}.example.com`,
      startDate: day(0),
      endDate: day(365),
      status: 'ISSUED',
      source: 'buy',
      name: `cert-${first}`,
      deployed: false,
      resources: [],
    });
    expect(plain?.serialNo).toMatch(/^[0-9A-F]{32}$/);
    expect(plain?.instanceId).toMatch(/^cas-cert-[0-9a-f]{10}$/);
    expect(expired).toMatchObject({ endDate: day(-3), startDate: day(-368), status: 'EXPIRED' });
    expect(wildcard).toMatchObject({ commonName: '*.w.example.com', sans: '*.w.example.com' });

    expect(await listIds({ OrderType: 'CERT', Status: 'EXPIRED' })).toContain(first + 1);
    expect(await listIds({ OrderType: 'CERT' })).not.toContain(first + 1);
    expect(await listIds({ OrderType: 'CERT', Keyword: 'w.example.com' })).toContain(first + 2);
    expect(sandbox.dataset.domains.some((d) => d.domain === 'w.example.com' && d.monitored)).toBe(true);
  });

  it('takes a chosen id, keeps the listing in id order, and pages over the new total', async () => {
    const low = base.certificates[0]?.certificateId ?? 0;
    sandbox.removeCertificate(low);
    await control('POST', 'certificates', { certificateId: low, commonName: 'back.example.com' });
    const ids = await listIds({ OrderType: 'CERT' });
    expect(ids[0]).toBe(low);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const before = (await listPage({ OrderType: 'CERT', ShowSize: 10 })).TotalCount;
    await control('POST', 'certificates', [{}, {}]);
    expect((await listPage({ OrderType: 'CERT', ShowSize: 10 })).TotalCount).toBe(before + 2);
  });

  it('adds a REVOKED certificate that the status lookup reports revoked', async () => {
    const revokeTime = Date.now() - 3_600_000;
    const answer = await control('POST', 'certificates', { status: 'REVOKED', revokeTime, serialNo: 'BEEF01' });
    expect(answer.status).toBe(201);
    expect(await statusOf('BEEF01')).toMatchObject({ Status: 'revoked', RevokeTime: revokeTime });
  });
});

describe('PATCH /_sandbox/certificates/<id>', () => {
  const valid = () => base.certificates.find((c) => c.status === 'ISSUED' && c.source === 'buy') as SandboxCertificate;

  it('moves the end date into the past: the certificate is listed as expired and counted', async () => {
    const cert = valid();
    const before = await risk();
    const answer = await control('PATCH', `certificates/${cert.certificateId}`, { endDate: day(-2) });
    expect(answer.status).toBe(200);
    expect(answer.body.certificate).toMatchObject({
      certificateId: cert.certificateId,
      endDate: day(-2),
      status: 'EXPIRED',
    });
    expect(await listIds({ OrderType: 'CERT' })).not.toContain(cert.certificateId);
    expect(await listIds({ OrderType: 'CERT', Status: 'EXPIRED' })).toContain(cert.certificateId);
    expect((await risk()).BuyCertificateExpireCount).toBe(before.BuyCertificateExpireCount + 1);
  });

  it('renames a certificate, carrying the new CommonName into its SANs', async () => {
    const cert = valid();
    const others = cert.sans.split(',').filter((n) => n !== cert.commonName);
    await control('PATCH', `certificates/${cert.certificateId}`, { commonName: 'renamed.example.org' });
    const row = (await listPage({ OrderType: 'CERT', Keyword: 'renamed.example.org' })).CertificateOrderList[0];
    expect(row).toMatchObject({ CertificateId: cert.certificateId, CommonName: 'renamed.example.org' });
    expect(row?.Sans?.split(',').sort()).toEqual(['renamed.example.org', ...others].sort());
    await control('PATCH', `certificates/${cert.certificateId}`, { sans: 'a.example.org,b.example.org' });
    expect(sandbox.dataset.certificates.find((c) => c.certificateId === cert.certificateId)?.sans).toBe(
      'a.example.org,b.example.org',
    );
    await control('PATCH', `certificates/${cert.certificateId}`, { sans: '' });
    expect(sandbox.dataset.certificates.find((c) => c.certificateId === cert.certificateId)?.sans).toBe('');
  });

  it('revokes and restores a certificate, as the status lookup shows', async () => {
    const cert = valid();
    await control('PATCH', `certificates/${cert.certificateId}`, { status: 'REVOKED' });
    const revoked = await statusOf(cert.serialNo);
    expect(revoked).toMatchObject({ Status: 'revoked' });
    expect(revoked?.RevokeTime).toBeLessThanOrEqual(Date.now());
    const answer = await control('PATCH', `certificates/${cert.certificateId}`, { status: 'ISSUED' });
    expect(answer.body.certificate).not.toHaveProperty('revokeTime');
    expect(await statusOf(cert.serialNo)).toMatchObject({ Status: 'good' });
  });

  it('moves the start date along when the end date moves before it', async () => {
    const [id] = sandbox.addCertificates([{ startDate: day(0), endDate: day(90) }]).map((c) => c.certificateId);
    const answer = await control('PATCH', `certificates/${id}`, { endDate: day(-1) });
    expect(answer.body.certificate).toMatchObject({ startDate: day(-91), endDate: day(-1), status: 'EXPIRED' });
    const later = await control('PATCH', `certificates/${id}`, { startDate: day(10) });
    expect(later.body.certificate).toMatchObject({ startDate: day(10), endDate: day(100), status: 'ISSUED' });
    const both = await control('PATCH', `certificates/${id}`, { startDate: day(10), endDate: day(9) });
    expect(both).toMatchObject({ status: 400, body: { error: `startDate: ${day(10)} is after endDate ${day(9)}` } });
  });

  it('keeps an explicit status over the one the end date would give', async () => {
    const cert = valid();
    await control('PATCH', `certificates/${cert.certificateId}`, { endDate: day(-1), status: 'ISSUED' });
    expect(await listIds({ OrderType: 'CERT' })).toContain(cert.certificateId);
  });

  it('deploys and undeploys, keeping the resources in step', async () => {
    const cert = base.certificates.find((c) => c.status === 'ISSUED' && !c.deployed) as SandboxCertificate;
    const before = await risk();
    const deployed = await control('PATCH', `certificates/${cert.certificateId}`, { deployed: true });
    expect((deployed.body.certificate as SandboxCertificate).resources).toHaveLength(1);
    const notDeployed = (r: Awaited<ReturnType<typeof risk>>) =>
      r.BuyCertificateNotDeploymentCount + r.FreeCertificateNotDeploymentCount + r.UploadCertificateNotDeploymentCount;
    expect(notDeployed(await risk())).toBe(notDeployed(before) - 1);
    const undeployed = await control('PATCH', `certificates/${cert.certificateId}`, { deployed: false });
    expect((undeployed.body.certificate as SandboxCertificate).resources).toEqual([]);
  });
});

describe('DELETE /_sandbox/certificates/<id>', () => {
  it('removes a certificate from every operation', async () => {
    const cert = base.certificates.find((c) => c.status === 'EXPIRED' && c.source === 'free') as SandboxCertificate;
    const before = await risk();
    const answer = await control('DELETE', `certificates/${cert.certificateId}`);
    expect(answer).toMatchObject({ status: 200, body: { removed: cert.certificateId } });
    expect(await listIds({ OrderType: 'CERT', Status: 'EXPIRED' })).not.toContain(cert.certificateId);
    expect((await risk()).FreeCertificateExpireCount).toBe(before.FreeCertificateExpireCount - 1);
    expect(await statusOf(cert.serialNo)).toMatchObject({ Status: 'unknown' });
    expect(await control('DELETE', `certificates/${cert.certificateId}`)).toEqual({
      status: 404,
      body: { error: `no certificate ${cert.certificateId} in the data set` },
    });
  });

  it('reads one certificate and the whole list', async () => {
    const cert = base.certificates[3] as SandboxCertificate;
    expect(await control('GET', `certificates/${cert.certificateId}`)).toEqual({
      status: 200,
      body: { certificate: cert },
    });
    const all = await control('GET', 'certificates');
    expect(all.body.totalCount).toBe(60);
  });
});

describe('bad input', () => {
  const id = () => base.certificates[0]?.certificateId as number;
  const count = () => sandbox.dataset.certificates.length;

  it.each([
    ['not JSON', 'POST', 'certificates', undefined, '{"commonName":', /^the body is not JSON/],
    ['an empty body', 'POST', 'certificates', undefined, '', /expected a certificate/],
    ['an empty array', 'POST', 'certificates', [], undefined, /no certificates to add/],
    [
      'a wrong type',
      'POST',
      'certificates',
      { commonName: 42 },
      undefined,
      /^commonName: Invalid input: expected string/,
    ],
    ['an unknown field', 'POST', 'certificates', { commonName: 'a.example.com', colour: 'red' }, undefined, /colour/],
    [
      'a malformed date',
      'POST',
      'certificates',
      { endDate: '2026-13-01' },
      undefined,
      /^endDate: is not a calendar date/,
    ],
    [
      'a date in another format',
      'POST',
      'certificates',
      { endDate: '01/02/2027' },
      undefined,
      /^endDate: must be a date as YYYY-MM-DD/,
    ],
    [
      'a start after the end',
      'POST',
      'certificates',
      { startDate: day(5), endDate: day(1) },
      undefined,
      /^startDate: .* is after endDate/,
    ],
    [
      'a name with a space',
      'POST',
      'certificates',
      { sans: ['a.example.com', 'b example.com'] },
      undefined,
      /^sans\.1: must not contain spaces or commas/,
    ],
    ['an unknown status', 'POST', 'certificates', { status: 'LOST' }, undefined, /^status: /],
    [
      'a revoked upload',
      'POST',
      'certificates',
      { orderType: 'UPLOAD', status: 'REVOKED' },
      undefined,
      /^status: an uploaded certificate cannot be REVOKED/,
    ],
    [
      'a revoke time without revocation',
      'POST',
      'certificates',
      { revokeTime: 1 },
      undefined,
      /^revokeTime: only a REVOKED certificate/,
    ],
    [
      'source against orderType',
      'POST',
      'certificates',
      { source: 'upload', orderType: 'CERT' },
      undefined,
      /^source: source upload contradicts orderType CERT/,
    ],
    [
      'a serial that is not hex',
      'POST',
      'certificates',
      { serialNo: 'XYZ' },
      undefined,
      /^serialNo: must be hex digits/,
    ],
  ])('answers 400 to %s', async (_what, method, route, body, raw, message) => {
    const before = count();
    const answer = await control(method, route, body, raw);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(message);
    expect(count()).toBe(before);
  });

  it('answers 400 to a taken id or serial', async () => {
    const taken = base.certificates[1] as SandboxCertificate;
    const byId = await control('POST', 'certificates', { certificateId: taken.certificateId });
    expect(byId).toMatchObject({
      status: 400,
      body: { error: `certificateId: ${taken.certificateId} is already in the data set` },
    });
    const bySerial = await control('POST', 'certificates', { serialNo: taken.serialNo.toLowerCase() });
    expect(bySerial).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^serialNo: serial .* is already used/) },
    });
    const twice = await control('POST', 'certificates', [{ serialNo: 'AB12' }, { serialNo: 'ab:12' }]);
    expect(twice.body.error).toMatch(/^\[1\]\.serialNo: /);
  });

  it('adds nothing when one certificate of several is bad, and says which', async () => {
    const before = count();
    const answer = await control('POST', 'certificates', [{}, { endDate: 'soon' }, {}]);
    expect(answer.status).toBe(400);
    expect(answer.body.issues).toEqual([{ path: '[1].endDate', message: 'must be a date as YYYY-MM-DD' }]);
    expect(count()).toBe(before);
  });

  it('answers 400 to a bad change and leaves the certificate as it was', async () => {
    const before = structuredClone(sandbox.dataset.certificates[0]);
    for (const change of [
      {},
      { endDate: 'tomorrow' },
      { certificateId: 5 },
      { startDate: day(10), endDate: day(1) },
      { status: 7 },
    ]) {
      const answer = await control('PATCH', `certificates/${id()}`, change);
      expect([JSON.stringify(change), answer.status]).toEqual([JSON.stringify(change), 400]);
      expect(typeof answer.body.error).toBe('string');
    }
    expect((await control('PATCH', `certificates/${id()}`, {})).body.error).toBe('body: no fields to change');
    expect(sandbox.dataset.certificates[0]).toEqual(before);
  });

  it('answers 404 to an unknown certificate and 400 to an id that is not one', async () => {
    expect(await control('PATCH', 'certificates/99', { endDate: day(1) })).toEqual({
      status: 404,
      body: { error: 'no certificate 99 in the data set' },
    });
    expect(await control('GET', 'certificates/12ab')).toEqual({
      status: 400,
      body: { error: 'certificate id must be a positive integer, got "12ab"' },
    });
    expect((await control('PUT', 'certificates/1')).status).toBe(404);
  });
});

describe('in-process edits', () => {
  it('adds, changes and removes certificates through the Sandbox object', async () => {
    const added = sandbox.addCertificate({ commonName: 'inproc.example.com', endDate: day(5) });
    expect(added.status).toBe('WILLEXPIRED');
    expect(await listIds({ OrderType: 'CERT', Keyword: 'inproc' })).toEqual([added.certificateId]);
    const many = sandbox.addCertificates([{ orderType: 'UPLOAD' }, { source: 'free' }]);
    expect(many.map((c) => c.source)).toEqual(['upload', 'free']);
    expect(many[1]?.endDate).toBe(day(90));

    sandbox.updateCertificate(added.certificateId, { endDate: day(200) });
    expect(added.status).toBe('ISSUED');
    expect((await listPage({ OrderType: 'CERT', Keyword: 'inproc' })).CertificateOrderList[0]?.EndDate).toBe(day(200));
    expect(sandbox.removeCertificate(added.certificateId)).toBe(added);
    expect(await listIds({ OrderType: 'CERT', Keyword: 'inproc' })).toEqual([]);
  });

  it('throws CertificateEditError with the HTTP status it would answer', () => {
    const error = (run: () => unknown) => {
      try {
        run();
      } catch (caught) {
        return caught;
      }
      throw new Error('expected a throw');
    };
    expect(error(() => sandbox.updateCertificate(1, { endDate: day(1) }))).toMatchObject({ status: 404 });
    const bad = error(() => sandbox.addCertificate({ endDate: 'x' }));
    expect(bad).toBeInstanceOf(CertificateEditError);
    expect(bad).toBeInstanceOf(RangeError);
    expect(bad).toMatchObject({ status: 400, issues: [{ path: 'endDate' }] });
  });
});

describe('failPage fault', () => {
  it('fails ListUserCertificateOrder on one page number only, for every view', async () => {
    expect(await control('POST', 'faults', { failPage: 3 })).toMatchObject({ status: 200, body: { failPage: 3 } });
    const page = (n: number, query: Query = {}) =>
      listPage({ OrderType: 'CERT', ShowSize: 5, CurrentPage: n, ...query });
    await expect(page(1)).resolves.toHaveProperty('CurrentPage', 1);
    await expect(page(2)).resolves.toHaveProperty('CurrentPage', 2);
    expect(await failureOf(page(3))).toMatchObject({ code: 'ServiceUnavailable', statusCode: 503 });
    expect(await failureOf(page(3))).toMatchObject({ code: 'ServiceUnavailable' });
    await expect(page(4)).resolves.toHaveProperty('CurrentPage', 4);
    expect(await failureOf(page(3, { Status: 'EXPIRED', ShowSize: 1 }))).toMatchObject({ statusCode: 503 });
    await expect(risk()).resolves.toHaveProperty('RequestId');
    expect(sandbox.calls.map((c) => c.injected ?? null)).toEqual([
      null,
      null,
      'failPage',
      'failPage',
      null,
      'failPage',
      null,
    ]);
    expect(sandbox.stats()).toMatchObject({ injected: 3 });

    await control('POST', 'faults', { failPage: 0 });
    await expect(page(3)).resolves.toHaveProperty('CurrentPage', 3);
  });

  it('fails on page 1 when CurrentPage is left out', async () => {
    sandbox.setFaults({ failPage: 1 });
    expect(await failureOf(listPage({ OrderType: 'CERT' }))).toMatchObject({ statusCode: 503 });
  });

  it("makes the bot's own paging client give up on page 3 after its retries", async () => {
    sandbox.setFaults({ failPage: 3 });
    const cas = clientFor(sandbox, { attempts: 2, pageSize: 10 });
    const rows: unknown[] = [];
    try {
      await expect(
        (async () => {
          for await (const row of cas.listCertificates({ orderType: 'CERT', pageSize: 10 })) rows.push(row);
        })(),
      ).rejects.toMatchObject({ kind: 'unavailable' });
    } finally {
      await cas.close();
    }
    expect(rows.length).toBeLessThanOrEqual(20);
    const pages = sandbox.calls.map((c) => Number(c.query.CurrentPage ?? 1));
    expect(pages.filter((p) => p === 3)).toHaveLength(2);
  });

  it('refuses fault switches it does not know or cannot honour', async () => {
    expect(await control('POST', 'faults', { failPage: 2.5 })).toMatchObject({
      status: 400,
      body: { error: 'fault failPage must be a whole page number, got 2.5' },
    });
    expect((await control('POST', 'faults', { failpage: 3 })).body.error).toMatch(/^unknown fault failpage; known: /);
    expect((await control('POST', 'faults', { failPage: '3' })).body.error).toBe('fault failPage out of range: 3');
    expect((await control('POST', 'faults', [1])).status).toBe(400);
    expect(sandbox.calls).toHaveLength(0);
  });
});

describe('replaced pairs over HTTP', () => {
  it('lists the renewed twins with the valid certificates', async () => {
    const renewed = await startSandbox({ certs: 40, seed: 9, replacedPairs: 4, qps: Number.POSITIVE_INFINITY });
    const plain = await startSandbox({ certs: 40, seed: 9, qps: Number.POSITIVE_INFINITY });
    try {
      const total = async (s: Sandbox) =>
        certificateOrderPageSchema.parse(
          await callCas(sandboxClient(s), 'ListUserCertificateOrder', SSL, { OrderType: 'CERT', ShowSize: 1 }),
        ).TotalCount;
      expect(await total(renewed)).toBe((await total(plain)) + 4);
      expect(renewed.dataset.renewals).toHaveLength(4);
    } finally {
      await renewed.close();
      await plain.close();
    }
  });
});

describe('a simulator in its own process', () => {
  it('takes --replaced and the certificate routes through spawnSandbox', async () => {
    const remote = await spawnSandbox({ certs: 30, seed: 4, qps: 1000, replacedPairs: 3 });
    try {
      const remoteClient = sandboxClient({ endpoint: new URL(remote.url).host } as Sandbox);
      const list = async (query: Query) =>
        certificateOrderPageSchema.parse(
          await callCas(remoteClient, 'ListUserCertificateOrder', SSL, { OrderType: 'CERT', ShowSize: 1000, ...query }),
        );
      const before = (await list({})).TotalCount;
      const [added] = await remote.addCertificates([{ commonName: 'remote.example.com' }]);
      expect(added).toBe(10_000_034);
      expect((await list({})).TotalCount).toBe(before + 1);
      const changed = await remote.updateCertificate(added as number, { endDate: day(-1) });
      expect(changed.status).toBe('EXPIRED');
      expect((await list({ Status: 'EXPIRED' })).CertificateOrderList.map((r) => r.CertificateId)).toContain(added);
      await remote.removeCertificate(added as number);
      await expect(remote.removeCertificate(added as number)).rejects.toThrow(/HTTP 404 .*no certificate 10000034/);
      await remote.setFaults({ failPage: 2 });
      expect(await failureOf(list({ ShowSize: 5, CurrentPage: 2 }))).toMatchObject({ statusCode: 503 });
    } finally {
      await remote.close();
    }
  });
});
