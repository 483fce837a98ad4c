import type OpenApi from '@alicloud/openapi-client';
import {
  assetCountSchema,
  assignCertificateCountSchema,
  certificateOrderPageSchema,
  certificateStatusResponseSchema,
  riskCountSchema,
} from '../../src/cas/schemas';
import {
  CAS_NOT_FOUND_MESSAGE,
  DATA_SOURCE_IDS,
  type Dataset,
  generateDataset,
  type Sandbox,
  type SandboxCertificate,
  setCertificateStatus,
  startSandbox,
} from '../../src/sandbox';
import { callCas, failureOf, type Query, sandboxClient } from './cas-client';
import { sendSigned } from './signed-request';

const SSL = '2020-04-07';
const PCA = '2020-06-30';
const NOW = Date.UTC(2026, 2, 10, 9, 30);

let sandbox: Sandbox;
let client: OpenApi;
let dataset: Dataset;

beforeAll(async () => {
  dataset = generateDataset({ count: 300, seed: 11, now: NOW });
  sandbox = await startSandbox({ dataset, qps: Number.POSITIVE_INFINITY });
  client = sandboxClient(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.setDataset(structuredClone(dataset)));

async function listPage(query: Query) {
  return certificateOrderPageSchema.parse(await callCas(client, 'ListUserCertificateOrder', SSL, query));
}

/** Every row for a filter, walking the pages as a client would. */
async function listAll(query: Query, showSize = 100) {
  const rows = [];
  for (let page = 1; ; page++) {
    const answer = await listPage({ ...query, ShowSize: showSize, CurrentPage: page });
    rows.push(...answer.CertificateOrderList);
    if (answer.CertificateOrderList.length < showSize) return rows;
  }
}

const ids = (certs: SandboxCertificate[]) => certs.map((c) => c.certificateId).sort((a, b) => a - b);

describe('routing', () => {
  it('answers an unknown action with 404 InvalidApi.NotFound', async () => {
    const failure = await failureOf(callCas(client, 'DeleteEverything', SSL));
    expect(failure).toMatchObject({ code: 'InvalidApi.NotFound', statusCode: 404 });
  });

  it('answers a known action with the wrong version with 404 InvalidApi.NotFound', async () => {
    const failure = await failureOf(callCas(client, 'GetRiskCount', PCA));
    expect(failure).toMatchObject({ code: 'InvalidApi.NotFound', statusCode: 404 });
  });

  it('sends the gateway error body with its content type', async () => {
    const answer = await sendSigned(sandbox, { action: 'NoSuchAction', version: SSL });
    const body = answer.json();
    expect(answer.headers['content-type']).toBe('application/json;charset=utf-8');
    expect(body).toEqual({
      RequestId: expect.stringMatching(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/),
      HostId: 'cas.aliyuncs.com',
      Code: 'InvalidApi.NotFound',
      Message: expect.any(String),
      Recommend: `https://api.aliyun.com/troubleshoot?q=InvalidApi.NotFound&product=cas&requestId=${body.RequestId}`,
    });
    expect(answer.headers['x-acs-request-id']).toBe(body.RequestId);
  });

  it('rejects other paths and methods', async () => {
    expect((await sendSigned(sandbox, { action: 'GetRiskCount', version: SSL, path: '/v1' })).status).toBe(404);
    expect((await sendSigned(sandbox, { action: 'GetRiskCount', version: SSL, method: 'PUT' })).status).toBe(400);
    const repeated = await sendSigned(sandbox, { action: 'GetRiskCount', version: SSL, path: '/?Keyword=a&Keyword=b' });
    expect(repeated.json()).toMatchObject({ Code: 'InvalidParameter' });
  });
});

describe('ListUserCertificateOrder', () => {
  it('defaults to the valid certificates for CERT and walks pages without gaps or repeats', async () => {
    const valid = dataset.certificates.filter((c) => c.status === 'ISSUED' || c.status === 'WILLEXPIRED');
    const first = await listPage({ OrderType: 'CERT', ShowSize: 7 });
    expect(first).toMatchObject({ TotalCount: valid.length, CurrentPage: 1, ShowSize: 7 });
    const rows = await listAll({ OrderType: 'CERT' }, 7);
    expect(rows.map((r) => r.CertificateId)).toEqual(ids(valid));
  });

  it('uses CurrentPage 1 and ShowSize 50 when they are absent', async () => {
    const answer = await listPage({ OrderType: 'CERT' });
    expect(answer).toMatchObject({ CurrentPage: 1, ShowSize: 50 });
    expect(answer.CertificateOrderList).toHaveLength(50);
  });

  it('returns an empty page past the end, still with the total', async () => {
    const answer = await listPage({ OrderType: 'CERT', Status: 'REVOKED', CurrentPage: 99 });
    expect(answer.CertificateOrderList).toEqual([]);
    expect(answer.TotalCount).toBe(dataset.certificates.filter((c) => c.status === 'REVOKED').length);
  });

  it.each(['ISSUED', 'WILLEXPIRED', 'EXPIRED', 'REVOKED'] as const)('filters CERT by Status %s', async (status) => {
    const rows = await listAll({ OrderType: 'CERT', Status: status });
    expect(rows.map((r) => r.CertificateId)).toEqual(ids(dataset.certificates.filter((c) => c.status === status)));
    expect(rows.every((r) => r.Status === status && r.Expired === (status === 'EXPIRED'))).toBe(true);
  });

  it('limits UPLOAD to uploaded certificates', async () => {
    const rows = await listAll({ OrderType: 'UPLOAD', Status: 'EXPIRED' });
    const expected = dataset.certificates.filter((c) => c.source === 'upload' && c.status === 'EXPIRED');
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.CertificateId)).toEqual(ids(expected));
    expect(rows.every((r) => r.Upload === true)).toBe(true);
  });

  it('returns the C/U fields of the doc', async () => {
    const [row] = (await listPage({ OrderType: 'CERT', ShowSize: 1 })).CertificateOrderList;
    expect(Object.keys(row ?? {}).sort()).toEqual(
      [
        'CertificateId',
        'City',
        'CommonName',
        'Country',
        'EndDate',
        'Expired',
        'Fingerprint',
        'InstanceId',
        'Issuer',
        'Name',
        'OrgName',
        'Province',
        'ResourceGroupId',
        'Sans',
        'SerialNo',
        'Sha2',
        'StartDate',
        'Status',
        'Upload',
      ].sort(),
    );
    expect(row?.StartDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('matches Keyword case-insensitively on the common name, SANs and instance id', async () => {
    const target = dataset.certificates.find((c) => c.status === 'ISSUED' && c.sans.includes(','));
    if (!target) throw new Error('no certificate with several SANs');
    const byInstance = await listAll({ OrderType: 'CERT', Status: 'ISSUED', Keyword: target.instanceId.toUpperCase() });
    expect(byInstance.map((r) => r.CertificateId)).toEqual([target.certificateId]);

    const san = target.sans.split(',')[1] ?? '';
    const bySan = await listAll({ OrderType: 'CERT', Status: 'ISSUED', Keyword: san.toUpperCase() });
    const expected = dataset.certificates.filter(
      (c) => c.status === 'ISSUED' && `${c.commonName},${c.sans},${c.instanceId}`.includes(san),
    );
    expect(bySan.map((r) => r.CertificateId)).toEqual(ids(expected));
    expect(bySan.map((r) => r.CertificateId)).toContain(target.certificateId);
  });

  it('filters by ResourceGroupId', async () => {
    const group = dataset.certificates[0]?.resourceGroupId ?? '';
    const rows = await listAll({ OrderType: 'CERT', Status: 'EXPIRED', ResourceGroupId: group });
    const expected = dataset.certificates.filter((c) => c.status === 'EXPIRED' && c.resourceGroupId === group);
    expect(rows.map((r) => r.CertificateId)).toEqual(ids(expected));
  });

  it('answers BUY and CPACK with an empty list', async () => {
    expect(await listPage({ OrderType: 'BUY' })).toMatchObject({ TotalCount: 0, CertificateOrderList: [] });
    expect(await listPage({ Status: 'PAYED' })).toMatchObject({ TotalCount: 0, CertificateOrderList: [] });
  });

  it.each([
    { Status: 'PAYED', OrderType: 'CERT' },
    { Status: 'BOGUS', OrderType: 'CERT' },
    { OrderType: 'ALL' },
    { OrderType: 'CERT', ShowSize: 1001 },
    { OrderType: 'CERT', ShowSize: 0 },
    { OrderType: 'CERT', CurrentPage: 'two' },
  ])('rejects %o with InvalidParameter', async (query) => {
    const failure = await failureOf(callCas(client, 'ListUserCertificateOrder', SSL, query));
    expect(failure).toMatchObject({ code: 'InvalidParameter', statusCode: 400 });
  });
});

describe('GetRiskCount and GetAssetCount agree with the list', () => {
  it('counts the same expiring, expired and uploaded certificates the list returns', async () => {
    const risk = riskCountSchema.parse(await callCas(client, 'GetRiskCount', SSL));
    const assets = assetCountSchema.parse(await callCas(client, 'GetAssetCount', SSL));
    const cert = (status: string) => listAll({ OrderType: 'CERT', Status: status });
    const [issued, expiring, expired, revoked, uploadExpiring, uploadExpired, uploaded] = await Promise.all([
      cert('ISSUED'),
      cert('WILLEXPIRED'),
      cert('EXPIRED'),
      cert('REVOKED'),
      listAll({ OrderType: 'UPLOAD', Status: 'WILLEXPIRED' }),
      listAll({ OrderType: 'UPLOAD', Status: 'EXPIRED' }),
      Promise.all(['ISSUED', 'WILLEXPIRED', 'EXPIRED'].map((s) => listAll({ OrderType: 'UPLOAD', Status: s }))),
    ]);

    expect(expiring.length).toBeGreaterThan(0);
    expect(
      risk.BuyCertificateWillExpiredCount +
        risk.FreeCertificateWillExpiredCount +
        risk.UploadCertificateWillExpiredCount,
    ).toBe(expiring.length);
    expect(risk.BuyCertificateExpireCount + risk.FreeCertificateExpireCount + risk.UploadCertificateExpireCount).toBe(
      expired.length,
    );
    expect(risk.UploadCertificateWillExpiredCount).toBe(uploadExpiring.length);
    expect(risk.UploadCertificateExpireCount).toBe(uploadExpired.length);
    expect(assets.BuyCertificateCount + assets.FreeCertificateCount + assets.UploadCertificateCount).toBe(
      issued.length + expiring.length + expired.length + revoked.length,
    );
    expect(assets.UploadCertificateCount).toBe(uploaded.flat().length);
    // Certificates served on a cloud resource are a subset of all expiring/expired ones.
    expect(risk.AliyunAssetCertificateWillExpiredCount).toBeLessThanOrEqual(expiring.length);
    expect(risk.AliyunAssetCertificateExpiredCount).toBeLessThanOrEqual(expired.length);
    expect(assets.Point).toBeLessThan(100);
    expect(assets.DomainAssetCount).toBeGreaterThanOrEqual(risk.DomainAssetNotMonitorCount);
  });

  it('follows a change to the data set between two calls', async () => {
    const before = riskCountSchema.parse(await callCas(client, 'GetRiskCount', SSL));
    const victim = sandbox.dataset.certificates.find((c) => c.source === 'buy' && c.status === 'ISSUED');
    if (!victim) throw new Error('no issued paid certificate');
    setCertificateStatus(sandbox.dataset, victim.certificateId, 'WILLEXPIRED');
    const after = riskCountSchema.parse(await callCas(client, 'GetRiskCount', SSL));
    expect(after.BuyCertificateWillExpiredCount).toBe(before.BuyCertificateWillExpiredCount + 1);
    const listed = await listAll({ OrderType: 'CERT', Status: 'WILLEXPIRED', Keyword: victim.instanceId });
    expect(listed.map((r) => r.CertificateId)).toEqual([victim.certificateId]);
  });

  it('reports nothing at all for a healthy data set', async () => {
    sandbox.setDataset(generateDataset({ count: 120, seed: 3, now: NOW, profile: 'healthy' }));
    const risk = riskCountSchema.parse(await callCas(client, 'GetRiskCount', SSL));
    const { RequestId, ...counters } = risk;
    expect(typeof RequestId).toBe('string');
    expect(Object.values(counters).every((v) => v === 0)).toBe(true);
    expect(Object.keys(counters)).toHaveLength(18);
    const assets = assetCountSchema.parse(await callCas(client, 'GetAssetCount', SSL));
    expect(assets).toMatchObject({ Point: 100, LastPoint: 100 });
    expect(assets.BuyCertificateCount + assets.FreeCertificateCount + assets.UploadCertificateCount).toBe(120);
  });
});

describe('DescribeClientCertificateStatusForSerialNumber', () => {
  const describeStatus = (serials?: string) =>
    callCas(client, 'DescribeClientCertificateStatusForSerialNumber', PCA, { SerialNumber: serials });

  it('requires SerialNumber', async () => {
    expect(await failureOf(describeStatus())).toMatchObject({ code: 'MissingSerialNumber', statusCode: 400 });
    expect(await failureOf(describeStatus(' , '))).toMatchObject({ code: 'MissingSerialNumber' });
  });

  it('answers one status per serial, in order, matching case and colons loosely', async () => {
    const revoked = dataset.certificates.find((c) => c.status === 'REVOKED');
    const expired = dataset.certificates.find((c) => c.status === 'EXPIRED');
    if (!revoked || !expired) throw new Error('data set lacks revoked or expired certificates');
    const colons = (revoked.serialNo.toLowerCase().match(/../g) ?? []).join(':');
    const answer = certificateStatusResponseSchema.parse(
      await describeStatus(`${colons},DEADBEEF,${expired.serialNo}`),
    );
    expect(answer.CertificateStatus).toEqual([
      { SerialNumber: colons, Status: 'revoked', RevokeTime: revoked.revokeTime },
      { SerialNumber: 'DEADBEEF', Status: 'unknown' },
      { SerialNumber: expired.serialNo, Status: 'good' },
    ]);
    expect(revoked.revokeTime).toBeLessThan(NOW);
  });
});

describe('AssignCertificateCount', () => {
  const assign = (query: Query) => callCas(client, 'AssignCertificateCount', PCA, query);

  it('assigns to a known data source and remembers it', async () => {
    const answer = assignCertificateCountSchema.parse(await assign({ Id: DATA_SOURCE_IDS[1], CertTotalCount: 25 }));
    expect(answer.CertCount).toBe(25);
    const thisYear = String(new Date(NOW).getUTCFullYear());
    expect(answer.CurrentYearFreeCertCount).toBe(
      dataset.certificates.filter((c) => c.source === 'free' && c.startDate.startsWith(thisYear)).length,
    );
    expect(sandbox.dataset.dataSources.find((s) => s.id === DATA_SOURCE_IDS[1])?.assignedCertCount).toBe(25);
  });

  it('answers an unknown data source with CAS NotFound', async () => {
    const failure = await failureOf(assign({ Id: 1, CertTotalCount: 5 }));
    expect(failure).toMatchObject({ code: 'NotFound', statusCode: 404 });
    expect(failure.data?.Message).toBe(CAS_NOT_FOUND_MESSAGE);
  });

  it.each([
    [{ CertTotalCount: 5 }, 'MissingId'],
    [{ Id: DATA_SOURCE_IDS[0] }, 'MissingCertTotalCount'],
    [{ Id: 'abc', CertTotalCount: 5 }, 'InvalidId'],
    [{ Id: DATA_SOURCE_IDS[0], CertTotalCount: 2.5 }, 'InvalidCertTotalCount'],
    [{ Id: DATA_SOURCE_IDS[0], CertTotalCount: -1 }, 'InvalidCertTotalCount'],
  ])('rejects %o with %s', async (query, code) => {
    expect(await failureOf(assign(query))).toMatchObject({ code, statusCode: 400 });
  });
});
