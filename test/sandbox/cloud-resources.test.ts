import type OpenApi from '@alicloud/openapi-client';
import { z } from 'zod';
import { parseEndpoint } from '../../src/cas/endpoint';
import { CasError } from '../../src/cas/errors';
import { createTransport } from '../../src/cas/transport';
import {
  assetCounts,
  CertificateEditError,
  CONTROL_PREFIX,
  connectSandbox,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  FIRST_RESOURCE_ID,
  generateDataset,
  LISTENER_PRODUCTS,
  ResourceEditError,
  type ResourceView,
  riskCounts,
  type Sandbox,
  type SandboxCertificate,
  startSandbox,
} from '../../src/sandbox';
import { callCas, failureOf, type Query, sandboxClient } from './cas-client';

const SSL = '2020-04-07';
const base = generateDataset({ count: 120, seed: 7, replacedPairs: 8 });
const byId = (dataset = base) => new Map(dataset.certificates.map((c) => [c.certificateId, c]));
const isValid = (c: SandboxCertificate) => c.status === 'ISSUED' || c.status === 'WILLEXPIRED';
const allIds = (dataset = base) =>
  dataset.certificates.flatMap((c) => c.resources.map((r) => r.id)).sort((a, b) => a - b);
/** CertStartTime/CertEndTime as a client must read them: seconds or milliseconds, by magnitude. */
const epochMs = (text: string) => (text.length <= 11 ? Number(text) * 1000 : Number(text));
const midnight = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** The row shape of docs/cas-api.md 1.6, strictly: a field the doc does not list fails. */
const rowSchema = z.strictObject({
  Id: z.number().int().positive(),
  CertId: z.number().int().positive(),
  CertName: z.string(),
  CertStartTime: z.string().regex(/^\d{10}(\d{3})?$/),
  CertEndTime: z.string().regex(/^\d{10}(\d{3})?$/),
  CloudName: z.enum(['aliyun', 'Tencent', 'Huawei', 'Aws']),
  CloudProduct: z.string(),
  CloudRegion: z.string().min(1),
  RegionId: z.string().min(1),
  InstanceId: z.string().optional(),
  ListenerId: z.string().optional(),
  ListenerPort: z.string().regex(/^\d+$/).optional(),
  DefaultResource: z.union([z.literal(0), z.literal(1)]).optional(),
  Domain: z.string(),
  EnableHttps: z.union([z.literal(0), z.literal(1)]),
  UseSsl: z.number(),
  Status: z.string(),
  CloudAccessId: z.string().optional(),
  GmtCreate: z.string().regex(/^\d+$/),
  GmtModified: z.string().regex(/^\d+$/),
  UserId: z.number().int().positive(),
});
const pageSchema = z.strictObject({
  RequestId: z.string(),
  Total: z.number().int(),
  CurrentPage: z.number().int(),
  ShowSize: z.number().int(),
  Data: z.array(rowSchema),
});
type Row = z.infer<typeof rowSchema>;

let sandbox: Sandbox;
let client: OpenApi;

beforeAll(async () => {
  sandbox = await startSandbox({ dataset: structuredClone(base), qps: Number.POSITIVE_INFINITY });
  client = sandboxClient(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.setDataset(structuredClone(base));
  sandbox.setFaults({ denyActions: [], failResourcePage: 0 });
  sandbox.resetCalls();
});

async function listPage(query: Query = {}) {
  return pageSchema.parse(await callCas(client, 'ListCloudResources', SSL, query));
}

/** Every row for a filter, walking pages of 50 as the bot does, until Total is reached. */
async function listAll(query: Query = {}): Promise<Row[]> {
  const rows: Row[] = [];
  for (let page = 1; ; page++) {
    const answer = await listPage({ ...query, ShowSize: 50, CurrentPage: page });
    rows.push(...answer.Data);
    if (rows.length >= answer.Total || answer.Data.length === 0) return rows;
  }
}

async function control(method: string, route: string, body?: unknown) {
  const res = await fetch(`${sandbox.url}${CONTROL_PREFIX}${route}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A renewal whose old certificate still has resources (a stale deployment) in the base data set. */
function staleRenewal() {
  const certs = byId();
  const renewal = base.renewals.find((r) => (certs.get(r.certificateId)?.resources.length ?? 0) > 0);
  if (!renewal) throw new Error('the base data set has no stale deployment');
  return {
    old: certs.get(renewal.certificateId) as SandboxCertificate,
    twin: certs.get(renewal.renewedBy) as SandboxCertificate,
  };
}

describe('the data set', () => {
  const certs = base.certificates;

  it('serves most valid certificates from one to five resources, some from none', () => {
    const valid = certs.filter(isValid);
    const served = valid.filter((c) => c.resources.length > 0);
    expect(served.length / valid.length).toBeGreaterThan(0.7);
    expect(served.length).toBeLessThan(valid.length);
    expect(certs.every((c) => c.resources.length <= 5)).toBe(true);
    const sizes = new Set(served.map((c) => c.resources.length));
    expect([...sizes].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('spreads the resources across clouds, products and regions', () => {
    const resources = certs.flatMap((c) => c.resources);
    const products = new Set(resources.map((r) => r.product));
    for (const product of ['SLB', 'ALB', 'NLB', 'CDN', 'DCDN', 'WAF', 'OSS', 'GA']) expect(products).toContain(product);
    expect(new Set(resources.map((r) => r.provider))).toEqual(new Set(['aliyun', 'tencent', 'huawei', 'aws']));
    const regions = new Set(resources.map((r) => r.region));
    for (const region of ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1'])
      expect(regions).toContain(region);
  });

  it('gives each resource a unique record ID and listener fields only on load balancers and GA', () => {
    const ids = allIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe(FIRST_RESOURCE_ID);
    for (const r of certs.flatMap((c) => c.resources)) {
      const listener = r.provider === 'aliyun' && LISTENER_PRODUCTS.includes(r.product);
      expect([r.instanceId, r.listenerId, r.listenerPort, r.defaultResource].every((f) => f !== undefined)).toBe(
        listener,
      );
      expect(r.domain === '').toBe(listener);
      expect(r.resourceId).toBe(listener ? r.instanceId : r.domain);
      if (!listener) {
        const names = [c(r.id).commonName, ...c(r.id).sans.split(',')].map((n) => n.replace(/^\*\./, ''));
        expect(names.some((n) => r.domain.endsWith(n))).toBe(true);
      }
    }
    function c(resourceId: number) {
      return certs.find((cert) => cert.resources.some((r) => r.id === resourceId)) as SandboxCertificate;
    }
  });

  it('keeps deployment, GetRiskCount and GetAssetCount in step with the resources', () => {
    expect(certs.every((c) => c.deployed === c.resources.length > 0)).toBe(true);
    const risk = riskCounts(base);
    const notDeployed = (source: string) =>
      certs.filter((c) => c.source === source && isValid(c) && c.resources.length === 0).length;
    expect(risk.BuyCertificateNotDeploymentCount).toBe(notDeployed('buy'));
    expect(risk.FreeCertificateNotDeploymentCount).toBe(notDeployed('free'));
    expect(risk.UploadCertificateNotDeploymentCount).toBe(notDeployed('upload'));
    const assets = assetCounts(base);
    const on = (provider: string) => certs.flatMap((c) => c.resources).filter((r) => r.provider === provider).length;
    expect(assets).toMatchObject({
      AliyunAssetCount: on('aliyun'),
      TencentAssetCount: on('tencent'),
      HuaweiAssetCount: on('huawei'),
      AwsAssetCount: on('aws'),
    });
  });

  it('leaves several replaced certificates still served while their twins are served too', () => {
    for (const dataset of [base, generateDataset({ count: 500, seed: 42, replacedPairs: 20 })]) {
      const map = byId(dataset);
      const stale = dataset.renewals.filter((r) => (map.get(r.certificateId)?.resources.length ?? 0) > 0);
      expect(stale.length).toBeGreaterThanOrEqual(3);
      expect(dataset.renewals.every((r) => (map.get(r.renewedBy)?.resources.length ?? 0) > 0)).toBe(true);
      // The old certificate's records are not the twin's.
      for (const r of stale) {
        const twinIds = new Set(map.get(r.renewedBy)?.resources.map((x) => x.id));
        expect(map.get(r.certificateId)?.resources.some((x) => twinIds.has(x.id))).toBe(false);
      }
    }
    const large = generateDataset({ count: 500, seed: 42, replacedPairs: 20 });
    const map = byId(large);
    // And some renewals were already deployed everywhere: the old certificate serves nothing.
    expect(large.renewals.some((r) => map.get(r.certificateId)?.resources.length === 0)).toBe(true);
  });

  it('is a function of the seed and the day, whatever the twins', () => {
    expect(generateDataset({ count: 120, seed: 7, replacedPairs: 8 })).toEqual(base);
    const plain = generateDataset({ count: 120, seed: 7 });
    expect(base.certificates.slice(0, 120)).toEqual(plain.certificates);
    expect(generateDataset({ count: 120, seed: 8 }).certificates.map((c) => c.resources)).not.toEqual(
      plain.certificates.map((c) => c.resources),
    );
  });
});

describe('ListCloudResources', () => {
  it('pages with Total: ShowSize 20 by default, 50 at most, every record once', async () => {
    const first = await listPage();
    expect(first).toMatchObject({ Total: allIds().length, CurrentPage: 1, ShowSize: 20 });
    expect(first.Data).toHaveLength(20);
    const rows = await listAll();
    expect(rows.map((r) => r.Id)).toEqual(allIds());
    const past = await listPage({ ShowSize: 50, CurrentPage: 99 });
    expect(past).toMatchObject({ Total: allIds().length, CurrentPage: 99, Data: [] });
    expect(sandbox.calls.every((c) => c.action === 'ListCloudResources' && c.status === 200)).toBe(true);
  });

  it.each([
    ['ShowSize', 51],
    ['ShowSize', 0],
    ['ShowSize', 'many'],
    ['CurrentPage', 0],
  ])('answers 400 InvalidParameter naming %s for %p', async (name, value) => {
    const failure = await failureOf(listPage({ [name]: value }));
    expect(failure).toMatchObject({ code: 'InvalidParameter', statusCode: 400 });
    expect(failure.data?.Message).toContain(name);
  });

  it('answers the fields of 1.6 from the data set, listener fields on load balancers and GA only', async () => {
    const rows = await listAll();
    const certs = byId();
    for (const row of rows) {
      const cert = certs.get(row.CertId) as SandboxCertificate;
      const resource = cert.resources.find((r) => r.id === row.Id);
      expect(resource).toBeDefined();
      expect(row.CertName).toBe(cert.name);
      expect(row.CloudProduct).toBe(resource?.product);
      expect(row.RegionId).toBe(row.CloudRegion);
      const listener = row.CloudName === 'aliyun' && LISTENER_PRODUCTS.includes(row.CloudProduct);
      expect(row.InstanceId !== undefined && row.ListenerId !== undefined).toBe(listener);
      expect(row.ListenerPort !== undefined && row.DefaultResource !== undefined).toBe(listener);
      expect(row.CloudAccessId !== undefined).toBe(row.CloudName !== 'aliyun');
      expect(Number(row.GmtModified)).toBeGreaterThanOrEqual(Number(row.GmtCreate));
    }
    expect(new Set(rows.map((r) => r.UserId)).size).toBe(1);
    expect(rows.some((r) => r.ListenerPort === '443')).toBe(true);
    expect(rows.some((r) => r.EnableHttps === 0)).toBe(true);
    expect(new Set(rows.map((r) => r.CloudName))).toEqual(new Set(['aliyun', 'Tencent', 'Huawei', 'Aws']));
  });

  it('sends the certificate times as seconds for some records and milliseconds for others', async () => {
    const rows = await listAll();
    const seconds = rows.filter((r) => r.CertEndTime.length === 10);
    const millis = rows.filter((r) => r.CertEndTime.length === 13);
    expect(seconds.length).toBeGreaterThan(10);
    expect(millis.length).toBeGreaterThan(10);
    expect(seconds.length + millis.length).toBe(rows.length);
    const certs = byId();
    for (const row of rows) {
      const cert = certs.get(row.CertId) as SandboxCertificate;
      expect(row.CertStartTime.length).toBe(row.CertEndTime.length);
      expect(epochMs(row.CertStartTime)).toBe(midnight(cert.startDate));
      expect(epochMs(row.CertEndTime)).toBe(midnight(cert.endDate));
    }
  });

  it('filters by CertIds sent as one JSON array', async () => {
    const served = base.certificates.filter((c) => c.resources.length > 0);
    const [a, b] = [served[0] as SandboxCertificate, served[5] as SandboxCertificate];
    const expected = [...a.resources, ...b.resources].map((r) => r.id).sort((x, y) => x - y);
    const rows = await listAll({ CertIds: `[${a.certificateId},${b.certificateId}]` });
    expect(rows.map((r) => r.Id)).toEqual(expected);
    expect(new Set(rows.map((r) => r.CertId))).toEqual(new Set([a.certificateId, b.certificateId]));
    expect((await listPage({ CertIds: `["${a.certificateId}"]` })).Total).toBe(a.resources.length);
    expect((await listPage({ CertIds: '[]' })).Total).toBe(allIds().length);
    const undeployed = base.certificates.find((c) => c.resources.length === 0) as SandboxCertificate;
    expect(await listPage({ CertIds: `[${undeployed.certificateId}]` })).toMatchObject({ Total: 0, Data: [] });
  });

  it.each(['12345', 'abc', '[1,"x"]', '{"a":1}', '[1.5]', '[-3]'])(
    'answers 400 InvalidParameter naming CertIds for %p',
    async (value) => {
      const failure = await failureOf(listPage({ CertIds: value }));
      expect(failure).toMatchObject({ code: 'InvalidParameter', statusCode: 400 });
      expect(failure.data?.Message).toContain('CertIds');
    },
  );

  it('filters by CloudName, CloudProduct and Keyword (domain or instance ID)', async () => {
    const resources = base.certificates.flatMap((c) => c.resources);
    const tencent = await listAll({ CloudName: 'Tencent' });
    expect(tencent.length).toBe(resources.filter((r) => r.provider === 'tencent').length);
    expect(tencent.every((r) => r.CloudName === 'Tencent')).toBe(true);
    const slb = await listAll({ CloudName: 'aliyun', CloudProduct: 'SLB' });
    expect(slb.map((r) => r.Id)).toEqual(
      resources
        .filter((r) => r.product === 'SLB')
        .map((r) => r.id)
        .sort((x, y) => x - y),
    );
    const lb = resources.find((r) => r.product === 'ALB');
    const byInstance = await listAll({ Keyword: lb?.instanceId?.slice(0, 12) });
    expect(byInstance.map((r) => r.Id)).toContain(lb?.id);
    const cdn = resources.find((r) => r.product === 'CDN');
    const byDomain = await listAll({ Keyword: cdn?.domain.toUpperCase() });
    expect(byDomain.map((r) => r.Id)).toContain(cdn?.id);
    expect(byDomain.every((r) => r.Domain.includes(cdn?.domain ?? '?'))).toBe(true);
    expect((await listPage({ CloudName: 'Azure' })).Total).toBe(0);
  });

  it("filters multi-cloud resources by the other cloud's SecretId", async () => {
    const rows = await listAll({ SecretId: 'AKIASANDBOXAWS000001' });
    expect(rows.length).toBe(base.certificates.flatMap((c) => c.resources).filter((r) => r.provider === 'aws').length);
    expect(rows.every((r) => r.CloudName === 'Aws')).toBe(true);
  });

  it('fails one page number with the failResourcePage fault', async () => {
    sandbox.setFaults({ failResourcePage: 2 });
    await expect(listPage({ ShowSize: 50, CurrentPage: 1 })).resolves.toHaveProperty('CurrentPage', 1);
    expect(await failureOf(listPage({ ShowSize: 50, CurrentPage: 2 }))).toMatchObject({
      code: 'ServiceUnavailable',
      statusCode: 503,
    });
    // The certificate pages are untouched.
    await expect(
      callCas(client, 'ListUserCertificateOrder', SSL, { OrderType: 'CERT', CurrentPage: 2 }),
    ).resolves.toBeDefined();
    expect(sandbox.calls.map((c) => c.injected ?? null)).toEqual([null, 'failResourcePage', null]);
  });
});

describe('throttling', () => {
  it('counts ListCloudResources in the same per-AccessKey window as the other operations', async () => {
    const limited = await startSandbox({ certs: 20, qps: 3 });
    try {
      const c = sandboxClient(limited);
      const results = await Promise.allSettled([
        callCas(c, 'GetRiskCount', SSL),
        callCas(c, 'GetRiskCount', SSL),
        ...Array.from({ length: 4 }, () => callCas(c, 'ListCloudResources', SSL)),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const r of refused) expect(r.reason).toMatchObject({ code: 'Throttling.User', statusCode: 400 });
      expect(limited.stats()).toMatchObject({ throttled: 3, byAction: { GetRiskCount: 2, ListCloudResources: 4 } });
    } finally {
      await limited.close();
    }
  });
});

describe('moving a resource to the replacement', () => {
  it('lists it under the new certificate, same record ID, and the old one stops being served', async () => {
    const { old, twin } = staleRenewal();
    const moving = old.resources.map((r) => r.id);
    const before = await listAll({ CertIds: `[${old.certificateId}]` });
    expect(before.map((r) => r.Id).sort()).toEqual([...moving].sort());
    const assetsBefore = assetCounts(sandbox.dataset);

    for (const id of moving) {
      const answer = await control('POST', `resources/${id}/move`, { certificateId: twin.certificateId });
      expect(answer).toMatchObject({
        status: 200,
        body: { from: old.certificateId, to: twin.certificateId, resource: { id, certificateId: twin.certificateId } },
      });
    }

    expect(await listPage({ CertIds: `[${old.certificateId}]` })).toMatchObject({ Total: 0, Data: [] });
    const after = await listAll({ CertIds: `[${twin.certificateId}]` });
    expect(after.map((r) => r.Id)).toEqual(expect.arrayContaining(moving));
    for (const row of after.filter((r) => moving.includes(r.Id))) {
      expect(row).toMatchObject({ CertId: twin.certificateId, CertName: twin.name });
      expect(epochMs(row.CertEndTime)).toBe(midnight(twin.endDate));
      expect(Number(row.GmtModified)).toBeGreaterThan(Date.now() - 60_000);
    }
    // Moves change who serves what, not how many resources there are.
    expect(assetCounts(sandbox.dataset)).toEqual(assetsBefore);
    const risk = await callCas(client, 'GetRiskCount', SSL);
    expect(risk).toMatchObject(riskCounts(sandbox.dataset));
    expect(sandbox.dataset.certificates.find((c) => c.certificateId === old.certificateId)?.deployed).toBe(false);
  });

  it('counts a valid certificate whose last resource moved away as not deployed', async () => {
    const cert = base.certificates.find(
      (c) => c.status === 'ISSUED' && c.source === 'buy' && c.resources.length === 1,
    ) as SandboxCertificate;
    const target = base.certificates.find((c) => c !== cert && c.resources.length > 0) as SandboxCertificate;
    const before = riskCounts(sandbox.dataset).BuyCertificateNotDeploymentCount;
    sandbox.moveResource(cert.resources[0]?.id as number, target.certificateId);
    const risk = await callCas(client, 'GetRiskCount', SSL);
    expect(risk.BuyCertificateNotDeploymentCount).toBe(before + 1);
    sandbox.moveResource(cert.resources[0]?.id as number, cert.certificateId);
    expect(riskCounts(sandbox.dataset).BuyCertificateNotDeploymentCount).toBe(before);
  });

  it('lists resources on the control route, all or one certificate', async () => {
    const all = await control('GET', 'resources');
    expect(all.status).toBe(200);
    expect(all.body.totalCount).toBe(allIds().length);
    expect((all.body.resources as ResourceView[]).map((r) => r.id)).toEqual(allIds());
    const { old } = staleRenewal();
    const one = await control('GET', `resources?certificateId=${old.certificateId}`);
    expect((one.body.resources as ResourceView[]).map((r) => r.certificateId)).toEqual(
      old.resources.map(() => old.certificateId),
    );
    const id = old.resources[0]?.id as number;
    expect(await control('GET', `resources/${id}`)).toMatchObject({
      status: 200,
      body: { resource: { id, certificateId: old.certificateId } },
    });
  });

  it('answers 400 naming the field and 404 for unknown ids, changing nothing', async () => {
    const { old, twin } = staleRenewal();
    const id = old.resources[0]?.id as number;
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', `resources/${id}/move`, {}, 400, /certificateId/],
      ['POST', `resources/${id}/move`, { certificateId: 'x' }, 400, /certificateId/],
      ['POST', `resources/${id}/move`, { certificateId: twin.certificateId, extra: 1 }, 400, /extra/],
      ['POST', `resources/abc/move`, { certificateId: twin.certificateId }, 400, /resourceId/],
      ['POST', `resources/999/move`, { certificateId: twin.certificateId }, 404, /no resource 999/],
      ['POST', `resources/${id}/move`, { certificateId: 1 }, 404, /no certificate 1 /],
      ['GET', 'resources?certificateId=x', undefined, 400, /certificateId/],
      ['GET', 'resources?certificateId=77', undefined, 404, /no certificate 77/],
      ['GET', 'resources/999', undefined, 404, /no resource 999/],
      ['DELETE', 'resources/0', undefined, 400, /resourceId/],
    ];
    for (const [method, route, body, status, error] of cases) {
      const answer = await control(method, route, body);
      expect({ route, status: answer.status }).toEqual({ route, status });
      expect(answer.body.error).toMatch(error);
    }
    expect(sandbox.dataset).toEqual(base);
  });

  it('adds and removes resources, with GetRiskCount and GetAssetCount following', async () => {
    const cert = base.certificates.find(
      (c) => isValid(c) && c.source === 'free' && c.resources.length === 0,
    ) as SandboxCertificate;
    const before = riskCounts(sandbox.dataset);
    const added = await control('POST', 'resources', {
      certificateId: cert.certificateId,
      product: 'CDN',
      domain: 'static.example.com',
      certTimeUnit: 's',
    });
    expect(added.status).toBe(201);
    const resource = added.body.resource as ResourceView;
    expect(resource).toMatchObject({
      id: allIds().at(-1)! + 1,
      certificateId: cert.certificateId,
      provider: 'aliyun',
      product: 'CDN',
      domain: 'static.example.com',
      region: 'cn-hangzhou',
    });
    const [row] = (await listPage({ CertIds: `[${cert.certificateId}]` })).Data;
    expect(row).toMatchObject({ Id: resource.id, CloudProduct: 'CDN', Domain: 'static.example.com', EnableHttps: 1 });
    expect(row).not.toHaveProperty('InstanceId');
    expect(row?.CertEndTime).toBe(String(midnight(cert.endDate) / 1000));
    expect(riskCounts(sandbox.dataset).FreeCertificateNotDeploymentCount).toBe(
      before.FreeCertificateNotDeploymentCount - 1,
    );
    const assets = await callCas(client, 'GetAssetCount', SSL);
    expect(assets.AliyunAssetCount).toBe(assetCounts(base).AliyunAssetCount + 1);

    const listener = await control('POST', 'resources', {
      certificateId: cert.certificateId,
      product: 'ALB',
      region: 'cn-shanghai',
      listenerPort: 8443,
    });
    const [alb] = (await listPage({ CertIds: `[${cert.certificateId}]`, CloudProduct: 'ALB' })).Data;
    expect(alb).toMatchObject({
      Id: (listener.body.resource as ResourceView).id,
      ListenerPort: '8443',
      DefaultResource: 1,
      CloudRegion: 'cn-shanghai',
      Domain: '',
    });
    expect(alb?.InstanceId).toMatch(/^alb-[a-z0-9]{18}$/);

    const bad = await control('POST', 'resources', {
      certificateId: cert.certificateId,
      product: 'CDN',
      listenerPort: 1,
    });
    expect(bad).toMatchObject({ status: 400, body: { issues: [{ path: 'listenerPort' }] } });
    expect(
      (await control('POST', 'resources', { certificateId: cert.certificateId, product: 'ELB' })).body,
    ).toMatchObject({
      issues: [{ path: 'product' }],
    });
    expect((await control('POST', 'resources', { product: 'SLB' })).body).toMatchObject({
      issues: [{ path: 'certificateId' }],
    });
    expect((await control('POST', 'resources', { certificateId: 5 })).status).toBe(404);
    expect(
      (await control('POST', 'resources', { certificateId: cert.certificateId, id: resource.id })).body,
    ).toMatchObject({
      issues: [{ path: 'id' }],
    });

    expect(await control('DELETE', `resources/${resource.id}`)).toMatchObject({
      status: 200,
      body: { removed: resource.id },
    });
    expect((await control('DELETE', `resources/${resource.id}`)).status).toBe(404);
    await control('DELETE', `resources/${(listener.body.resource as ResourceView).id}`);
    expect(riskCounts(sandbox.dataset)).toEqual(before);
  });

  it('drops the resources of a certificate that is removed or undeployed', async () => {
    const { old } = staleRenewal();
    sandbox.updateCertificate(old.certificateId, { deployed: false });
    expect((await listPage({ CertIds: `[${old.certificateId}]` })).Total).toBe(0);
    sandbox.updateCertificate(old.certificateId, { deployed: true });
    const [row] = (await listPage({ CertIds: `[${old.certificateId}]` })).Data;
    expect(row).toMatchObject({ CloudProduct: 'SLB', CloudRegion: 'cn-hangzhou', ListenerPort: '443' });
    sandbox.removeCertificate(old.certificateId);
    expect((await listPage({ CertIds: `[${old.certificateId}]` })).Total).toBe(0);
    const added = sandbox.addCertificate({ deployed: true });
    expect(sandbox.resourcesOf(added.certificateId)).toHaveLength(1);
  });

  it('offers the same in process, throwing ResourceEditError with the status a route would answer', () => {
    const { old, twin } = staleRenewal();
    const [first] = sandbox.resourcesOf(old.certificateId);
    expect(sandbox.moveResource(first?.id as number, twin.certificateId)).toMatchObject({
      id: first?.id,
      certificateId: twin.certificateId,
    });
    expect(sandbox.resourcesOf(twin.certificateId).map((r) => r.id)).toContain(first?.id);
    expect(sandbox.listResources({ certificateId: old.certificateId }).map((r) => r.id)).not.toContain(first?.id);
    const error = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error('expected a throw');
    };
    const unknown = error(() => sandbox.moveResource(1, twin.certificateId));
    expect(unknown).toBeInstanceOf(ResourceEditError);
    expect(unknown).toBeInstanceOf(CertificateEditError);
    expect(unknown).toMatchObject({ status: 404 });
    expect(error(() => sandbox.resourcesOf(42))).toMatchObject({ status: 404 });
    expect(error(() => sandbox.moveResource(first?.id as number, Number.NaN))).toMatchObject({
      status: 400,
      issues: [{ path: 'certificateId' }],
    });
    const added = sandbox.addResource({ certificateId: old.certificateId, product: 'TencentCDN' });
    expect(added).toMatchObject({ provider: 'tencent', region: 'ap-guangzhou', cloudAccessId: '3301' });
    expect(sandbox.removeResource(added.id)).toMatchObject({ id: added.id });
  });

  it('is driven the same way through connectSandbox', async () => {
    const remote = connectSandbox(sandbox.url);
    const { old, twin } = staleRenewal();
    const [first] = await remote.resources(old.certificateId);
    expect(await remote.moveResource(first?.id as number, twin.certificateId)).toMatchObject({
      certificateId: twin.certificateId,
    });
    expect((await remote.resources(twin.certificateId)).map((r) => r.id)).toContain(first?.id);
    const added = await remote.addResource({ certificateId: old.certificateId, product: 'OSS' });
    expect((await remote.resources()).map((r) => r.id)).toContain(added.id);
    await remote.removeResource(added.id);
    await expect(remote.removeResource(added.id)).rejects.toThrow(/HTTP 404 .*no resource/);
    await remote.setFaults({ denyActions: ['ListCloudResources'] });
    expect((await failureOf(listPage())).statusCode).toBe(403);
  });
});

describe('permission denied', () => {
  it('answers 403 NoPermission with the RAM action in AccessDeniedDetail, and other operations still work', async () => {
    sandbox.setFaults({ denyActions: ['ListCloudResources'] });
    const failure = await failureOf(listPage());
    expect(failure).toMatchObject({
      code: 'NoPermission',
      statusCode: 403,
      accessDeniedDetail: {
        AuthAction: 'yundun-cert:ListCloudResources',
        AuthPrincipalType: 'SubUser',
        NoPermissionType: 'ImplicitDeny',
        PolicyType: 'AccountLevelIdentityBasedPolicy',
      },
    });
    expect(failure.data).toMatchObject({ HostId: 'cas.aliyuncs.com', Code: 'NoPermission' });
    expect(String(failure.data?.Message)).toContain('yundun-cert:ListCloudResources');
    await expect(callCas(client, 'GetRiskCount', SSL)).resolves.toHaveProperty('RequestId');
    expect(sandbox.calls.map((c) => [c.action, c.status, c.code ?? null, c.injected ?? null])).toEqual([
      ['ListCloudResources', 403, 'NoPermission', 'denied'],
      ['GetRiskCount', 200, null, null],
    ]);
    expect(sandbox.stats()).toMatchObject({ injected: 1 });

    sandbox.setFaults({ denyActions: [] });
    await expect(listPage()).resolves.toHaveProperty('Total');
  });

  it("becomes the bot's auth error naming the RAM action to grant", async () => {
    sandbox.setFaults({ denyActions: ['ListCloudResources'] });
    const transport = createTransport({
      endpoint: parseEndpoint(sandbox.url),
      region: 'cn-hangzhou',
      credentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET },
      timeoutMs: 2_000,
    });
    const error = await transport
      .call({ action: 'ListCloudResources', version: SSL, schema: z.unknown() }, { ShowSize: 50 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CasError);
    expect(error).toMatchObject({
      kind: 'auth',
      operation: 'ListCloudResources',
      code: 'NoPermission',
      ramAction: 'yundun-cert:ListCloudResources',
      retryable: false,
    });
    expect((error as CasError).hint).toContain('yundun-cert:ListCloudResources');
  });

  it('switches over the control route and refuses what it cannot honour', async () => {
    const on = await control('POST', 'faults', { denyActions: ['yundun-cert:ListCloudResources'] });
    expect(on).toMatchObject({ status: 200, body: { denyActions: ['ListCloudResources'], failPage: 0 } });
    expect((await failureOf(listPage())).code).toBe('NoPermission');
    expect(await control('POST', 'faults', { denyActions: 'ListCloudResources' })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^fault denyActions must be an array/) },
    });
    expect((await control('POST', 'faults', { denyActions: ['ListEverything'] })).body.error).toMatch(
      /unknown action ListEverything; known: .*ListCloudResources/,
    );
    expect((await control('POST', 'faults', { failResourcePage: 1.5 })).body.error).toBe(
      'fault failResourcePage must be a whole page number, got 1.5',
    );
    expect(await control('POST', 'faults', { denyActions: [] })).toMatchObject({ body: { denyActions: [] } });
    await expect(listPage()).resolves.toHaveProperty('Total');
  });
});
