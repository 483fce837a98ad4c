import OpenApi, * as $OpenApi from '@alicloud/openapi-client';
import type { CasClient } from '../../src/cas/client';
import { createCasClient } from '../../src/cas/client';
import { parseEndpoint } from '../../src/cas/endpoint';
import { createTransport } from '../../src/cas/transport';
import { type Sandbox, sandboxAccessKey, sandboxRoleArn, startSandbox } from '../../src/sandbox';
import { callCas, failureOf, sandboxClient } from './cas-client';
import { rpcTimestamp, sendRpc } from './rpc-request';

const SSL = '2020-04-07';
const STS = '2015-04-01';
const MINUTE = 60_000;
const PROD = sandboxAccessKey(1);
const STAGING_SEED = 32;
const STAGING_ROLE = sandboxRoleArn(STAGING_SEED);

interface Credentials {
  AccessKeyId: string;
  AccessKeySecret: string;
  SecurityToken: string;
  Expiration: string;
}

let sandbox: Sandbox;
/** Offset of the simulator clock from real time. */
let shift = 0;
const clients: CasClient[] = [];

/** The project's real CAS client signing with a temporary key (x-acs-security-token). */
function stsClient(credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string }): CasClient {
  const client = createCasClient({
    transport: createTransport({
      endpoint: parseEndpoint(sandbox.url),
      region: 'cn-hangzhou',
      credentials,
      timeoutMs: 2_000,
    }),
    qps: 50,
    maxConcurrent: 4,
    attempts: 1,
    cacheTtlSeconds: 0,
  });
  clients.push(client);
  return client;
}

/** AssumeRole as @alicloud/credentials sends it: POST, signature in the query, the rest in a form body. */
function assumeRole(form: Record<string, string>, caller = PROD, timestampShift = 0) {
  return sendRpc(sandbox, {
    action: 'AssumeRole',
    version: STS,
    accessKeyId: caller.accessKeyId,
    secret: caller.accessKeySecret,
    placement: 'form',
    params: { RoleSessionName: 'cert-bot-test', ...form },
    timestamp: rpcTimestamp(Date.now() + timestampShift),
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({
    certs: 25,
    now: () => Date.now() + shift,
    accounts: [
      { name: 'prod', seed: 31, qps: 2 },
      { name: 'staging', seed: STAGING_SEED, qps: 2, roles: [STAGING_ROLE] },
    ],
  });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await sandbox.close();
});
beforeEach(async () => {
  shift = 0;
  sandbox.resetCalls();
  // Each test starts with empty QPS windows.
  await new Promise((resolve) => setTimeout(resolve, 1_050));
});

describe('STS AssumeRole', () => {
  it("issues a temporary key that signs CAS calls as the role's account", async () => {
    const before = Date.now();
    const answer = await assumeRole({ RoleArn: STAGING_ROLE, DurationSeconds: '1800' });
    expect(answer.status).toBe(200);
    const body = answer.json() as {
      RequestId: string;
      AssumedRoleUser: Record<string, string>;
      Credentials: Credentials;
    };
    expect(body.AssumedRoleUser).toEqual({
      Arn: `${STAGING_ROLE}/cert-bot-test`,
      AssumedRoleId: expect.stringMatching(/^\d{18}:cert-bot-test$/),
    });
    const { AccessKeyId, AccessKeySecret, SecurityToken, Expiration } = body.Credentials;
    expect(AccessKeyId).toMatch(/^STS\.[A-Za-z0-9]{20,}$/);
    expect(AccessKeySecret.length).toBeGreaterThan(20);
    expect(SecurityToken.length).toBeGreaterThan(100);
    expect(Expiration).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const expires = Date.parse(Expiration);
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 1800_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 1800_000);

    // The caller is prod's RAM user; the calls the temporary key signs are staging's.
    const client = stsClient({
      accessKeyId: AccessKeyId,
      accessKeySecret: AccessKeySecret,
      securityToken: SecurityToken,
    });
    const page = await client.listCertificatePage({ orderType: 'CERT', pageSize: 1000 }, 1);
    const staging = sandbox.account('staging').dataset.certificates;
    const valid = staging.filter((c) => c.status === 'ISSUED' || c.status === 'WILLEXPIRED').map((c) => c.serialNo);
    expect(page.CertificateOrderList.map((row) => row.SerialNo).sort()).toEqual(valid.sort());
    const prodSerials = new Set(sandbox.account('prod').dataset.certificates.map((c) => c.serialNo));
    expect(page.CertificateOrderList.some((row) => prodSerials.has(row.SerialNo as string))).toBe(false);

    expect(sandbox.calls.map((c) => [c.action, c.version, c.account, c.accessKeyId, c.status])).toEqual([
      ['AssumeRole', STS, 'staging', PROD.accessKeyId, 200],
      ['ListUserCertificateOrder', SSL, 'staging', AccessKeyId, 200],
    ]);
    expect(sandbox.calls[0]?.query).toMatchObject({ RoleArn: STAGING_ROLE, DurationSeconds: '1800' });
  });

  it("counts temporary keys in the role's account window, and STS calls in none", async () => {
    // Five AssumeRole calls in a burst: STS is not throttled by the CAS QPS window (qps 2).
    const answers = await Promise.all(Array.from({ length: 5 }, () => assumeRole({ RoleArn: STAGING_ROLE })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const { AccessKeyId, AccessKeySecret, SecurityToken } = (answers[0]?.json() as { Credentials: Credentials })
      .Credentials;
    // openapi-client sends the token as the signed x-acs-security-token header.
    const temporary = new OpenApi(
      new $OpenApi.Config({
        endpoint: sandbox.endpoint,
        protocol: 'http',
        regionId: 'cn-hangzhou',
        accessKeyId: AccessKeyId,
        accessKeySecret: AccessKeySecret,
        securityToken: SecurityToken,
      }),
    );
    const staging = sandboxClient(sandbox, { ...sandboxAccessKey(2) });
    await callCas(temporary, 'GetRiskCount', SSL);
    await callCas(staging, 'GetRiskCount', SSL);
    // staging's window (2 per second) is full, whichever key filled it; prod's is not.
    expect(await failureOf(callCas(staging, 'GetRiskCount', SSL))).toMatchObject({ code: 'Throttling.User' });
    await expect(callCas(sandboxClient(sandbox), 'GetRiskCount', SSL)).resolves.toHaveProperty('RequestId');
    expect(sandbox.account('staging').stats()).toMatchObject({ throttled: 1, byAction: { AssumeRole: 5 } });
  });

  it('ignores CAS faults', async () => {
    sandbox.account('staging').setFaults({ unavailableRate: 1, latencyMs: 300 });
    sandbox.setFaults({ unavailableRate: 1 });
    try {
      const started = Date.now();
      expect((await assumeRole({ RoleArn: STAGING_ROLE })).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(250);
    } finally {
      sandbox.account('staging').setFaults({ unavailableRate: 0, latencyMs: 0 });
      sandbox.setFaults({ unavailableRate: 0 });
    }
  });

  it('answers 404 EntityNotExist.Role for a role no account has', async () => {
    const arn = 'acs:ram::1999999999999999:role/nobody';
    const answer = await assumeRole({ RoleArn: arn });
    expect(answer.status).toBe(404);
    expect(answer.json()).toMatchObject({
      Code: 'EntityNotExist.Role',
      Message: `The role not exists: ${arn}.`,
      HostId: 'sts.aliyuncs.com',
    });
    expect(sandbox.calls[0]).toMatchObject({ action: 'AssumeRole', account: 'prod', code: 'EntityNotExist.Role' });
  });

  it('refuses an unknown caller, a wrong secret and DurationSeconds outside 900..3600', async () => {
    const unknown = await assumeRole({ RoleArn: STAGING_ROLE }, { accessKeyId: 'LTAI5tNobody', accessKeySecret: 'x' });
    expect(unknown.status).toBe(404);
    expect(unknown.json().Code).toBe('InvalidAccessKeyId.NotFound');

    const wrong = await assumeRole({ RoleArn: STAGING_ROLE }, { ...PROD, accessKeySecret: 'wrong' });
    expect(wrong.status).toBe(400);
    expect(wrong.json().Code).toBe('SignatureDoesNotMatch');

    for (const duration of ['899', '3601', 'abc']) {
      const answer = await assumeRole({ RoleArn: STAGING_ROLE, DurationSeconds: duration });
      expect(answer.status).toBe(400);
      expect(answer.json().Code).toBe('InvalidParameter.DurationSeconds');
    }
    expect((await assumeRole({ RoleArn: STAGING_ROLE, DurationSeconds: '900' })).status).toBe(200);
    const missing = await assumeRole({});
    expect(missing.json()).toMatchObject({ Code: 'MissingRoleArn' });
  });

  it('refuses a temporary key with a missing or wrong security token', async () => {
    const { Credentials } = (await assumeRole({ RoleArn: STAGING_ROLE })).json() as { Credentials: Credentials };
    const pair = { accessKeyId: Credentials.AccessKeyId, accessKeySecret: Credentials.AccessKeySecret };
    for (const securityToken of [undefined, `${Credentials.SecurityToken}x`]) {
      const failure = await failureOf(stsClient({ ...pair, securityToken }).getRiskCount());
      expect(failure).toMatchObject({ code: 'InvalidSecurityToken.Mismatch', statusCode: 400 });
      expect(sandbox.calls.at(-1)).toMatchObject({
        code: 'InvalidSecurityToken.Mismatch',
        accessKeyId: pair.accessKeyId,
      });
      expect(sandbox.calls.at(-1)?.account).toBeUndefined();
    }
    // An account's own key takes no token.
    const own = stsClient({ ...PROD, securityToken: Credentials.SecurityToken });
    expect(await failureOf(own.getRiskCount())).toMatchObject({ code: 'InvalidSecurityToken.Mismatch' });

    // RPC-signed calls carry it as the SecurityToken parameter.
    const rpc = await sendRpc(sandbox, {
      action: 'GetRiskCount',
      version: SSL,
      accessKeyId: Credentials.AccessKeyId,
      secret: Credentials.AccessKeySecret,
      securityToken: Credentials.SecurityToken,
    });
    expect(rpc.status).toBe(200);
    expect(sandbox.calls.at(-1)).toMatchObject({ account: 'staging', status: 200 });
  });

  it('refuses a temporary key after its Expiration on the simulator clock', async () => {
    // Issued 20 minutes "ago" for 15 minutes: expired 5 minutes before the real time now.
    shift = -20 * MINUTE;
    const issued = await assumeRole({ RoleArn: STAGING_ROLE, DurationSeconds: '900' }, PROD, shift);
    expect(issued.status).toBe(200);
    const { Credentials } = issued.json() as { Credentials: Credentials };
    const credentials = {
      accessKeyId: Credentials.AccessKeyId,
      accessKeySecret: Credentials.AccessKeySecret,
      securityToken: Credentials.SecurityToken,
    };
    // Still valid while the simulator clock is before Expiration...
    shift = -10 * MINUTE;
    const early = await sendRpc(sandbox, {
      action: 'GetRiskCount',
      version: SSL,
      accessKeyId: credentials.accessKeyId,
      secret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
      timestamp: rpcTimestamp(Date.now() + shift),
    });
    expect(early.status).toBe(200);
    // ...and refused after it.
    shift = 0;
    const failure = await failureOf(stsClient(credentials).getRiskCount());
    expect(failure).toMatchObject({ code: 'InvalidSecurityToken.Expired', statusCode: 400 });
    expect(sandbox.calls.at(-1)).toMatchObject({ code: 'InvalidSecurityToken.Expired' });
    expect(sandbox.calls.at(-1)?.account).toBeUndefined();
  });
});
