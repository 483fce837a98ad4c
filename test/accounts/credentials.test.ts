import Credential from '@alicloud/credentials';
import fs from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AccountConfig, AccountCredentials } from '../../src/accounts/account-config';
import { credentialFor } from '../../src/accounts/credentials';
import { createCasClient } from '../../src/cas/client';
import { parseEndpoint } from '../../src/cas/endpoint';
import { CasError } from '../../src/cas/errors';
import { createTransport, DescribedCredential } from '../../src/cas/transport';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type Sandbox, startSandbox } from '../../src/sandbox';

const PROFILE_KEY_ID = 'LTAI5tProfileKey00000001';
const PROFILE_SECRET = 'pRoFiLeSeCrEt0123456789abcdef';
const BASE_KEY_ID = 'LTAI5tBaseKey000000000001';
const BASE_SECRET = 'bAsEsEcReT0123456789abcdefABCD';
const saved = { ...process.env };
let home: string;

function isolateChain(): void {
  // Only what the test sets may answer: no CLI profile, no ECS metadata service, no real home.
  for (const key of Object.keys(process.env)) if (key.startsWith('ALIBABA_CLOUD_')) delete process.env[key];
  process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = 'true';
  process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-credentials-'));
  process.env.HOME = home;
}

beforeEach(isolateChain);
afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(home, { recursive: true, force: true });
});

function account(credentials: AccountCredentials, endpoint = 'cas.aliyuncs.com'): AccountConfig {
  return {
    name: 'prod',
    site: endpoint.includes('://') ? 'url' : 'china',
    endpoint,
    region: 'cn-hangzhou',
    qps: 10,
    credentials,
  };
}

function writeCredentialsFile(text: string): string {
  const file = path.join(home, 'credentials.ini');
  fs.writeFileSync(file, text);
  process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = file;
  return file;
}

function transportFor(config: AccountConfig, endpoint = 'http://127.0.0.1:1') {
  return createTransport({
    endpoint: parseEndpoint(endpoint),
    region: config.region,
    credentials: {},
    timeoutMs: 2000,
    credential: () => credentialFor(config),
  });
}

async function rejection(promise: Promise<unknown>): Promise<CasError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CasError);
  const casError = error as CasError;
  const output = JSON.stringify({ ...casError.toJSON(), stack: casError.stack });
  for (const secret of [PROFILE_SECRET, BASE_SECRET, 'sTsSeCrEt', 'sts-token-value'])
    expect(output).not.toContain(secret);
  return casError;
}

describe('credentialFor', () => {
  it('leaves an explicit key pair to the transport and keeps the default chain for the environment account', () => {
    expect(
      credentialFor(
        account({ kind: 'keys', idVariable: 'A', secretVariable: 'B', accessKeyId: 'id', accessKeySecret: 'secret' }),
      ),
    ).toBeUndefined();
    const chain = credentialFor(account({ kind: 'chain' }));
    expect(chain).toBeInstanceOf(Credential);
    expect(chain).not.toBeInstanceOf(DescribedCredential);
  });

  it('reads a profile of the credentials file', async () => {
    writeCredentialsFile(
      `[default]\ntype = access_key\naccess_key_id = other\naccess_key_secret = other\n\n[prod]\ntype = access_key\naccess_key_id = ${PROFILE_KEY_ID}\naccess_key_secret = ${PROFILE_SECRET}\n`,
    );
    const credential = credentialFor(account({ kind: 'profile', profile: 'prod' })) as Credential;
    expect(credential).toBeInstanceOf(DescribedCredential);
    expect((credential as DescribedCredential).source).toEqual({ kind: 'profile', description: 'profile prod' });
    const resolved = await credential.getCredential();
    expect(resolved.accessKeyId).toBe(PROFILE_KEY_ID);
    expect(resolved.accessKeySecret).toBe(PROFILE_SECRET);
  });
});

describe('a transport over an account credential', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ certs: 5, seed: 1, qps: 100 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('signs calls with the profile keys', async () => {
    writeCredentialsFile(
      `[prod]\ntype = access_key\naccess_key_id = ${DEFAULT_ACCESS_KEY_ID}\naccess_key_secret = ${DEFAULT_ACCESS_KEY_SECRET}\n`,
    );
    const client = createCasClient({
      transport: transportFor(account({ kind: 'profile', profile: 'prod' }), sandbox.url),
      qps: 50,
      maxConcurrent: 5,
      attempts: 1,
      cacheTtlSeconds: 0,
    });
    const risk = await client.getRiskCount();
    expect(risk.RequestId).toBeDefined();
    expect(sandbox.calls.at(-1)).toMatchObject({ accessKeyId: DEFAULT_ACCESS_KEY_ID, status: 200 });
    await client.close();
  });

  it('names the profile when the credentials file lacks it, and finds it once it is added', async () => {
    const file = writeCredentialsFile(`[other]\ntype = access_key\naccess_key_id = a\naccess_key_secret = b\n`);
    const transport = transportFor(account({ kind: 'profile', profile: 'prod' }));
    const error = await rejection(transport.accountKey());
    expect(error).toMatchObject({ kind: 'auth', code: 'InvalidCredentials', operation: 'credentials' });
    expect(error.message).toBe(
      'credentials failed with InvalidCredentials: profile prod: the credentials file has no [prod] section with a type',
    );
    expect(error.hint).toContain('[prod]');
    // A fresh Credential is built after the failure: fixing the file is enough.
    fs.writeFileSync(
      file,
      `[prod]\ntype = access_key\naccess_key_id = ${PROFILE_KEY_ID}\naccess_key_secret = ${PROFILE_SECRET}\n`,
    );
    expect(await transport.accountKey()).toBe(PROFILE_KEY_ID);
  });

  it('names the missing credentials file', async () => {
    const missing = path.join(home, 'nope.ini');
    process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = missing;
    const error = await rejection(transportFor(account({ kind: 'profile', profile: 'prod' })).accountKey());
    expect(error.message).toBe(`credentials failed with InvalidCredentials: profile prod: ${missing} does not exist`);
    expect(error.hint).toContain('ALIBABA_CLOUD_CREDENTIALS_FILE');
  });

  it('keeps the message of the default chain as it was', async () => {
    const error = await rejection(transportFor(account({ kind: 'chain' })).accountKey());
    expect(error.message).toBe('credentials failed with InvalidCredentials');
    expect(error.hint).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
  });
});

interface StsRequest {
  query: URLSearchParams;
  body: URLSearchParams;
}

describe('a role assumed through STS', () => {
  let server: Server;
  let host: string;
  const requests: StsRequest[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        requests.push({
          query: new URL(req.url ?? '/', 'http://sts').searchParams,
          body: new URLSearchParams(text),
        });
        res.writeHead(answer.status, { 'content-type': 'application/json;charset=utf-8' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests.length = 0;
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = BASE_KEY_ID;
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = BASE_SECRET;
  });

  const role = (): AccountConfig =>
    account(
      {
        kind: 'role',
        roleArn: 'acs:ram::123456789012:role/cert-bot',
        roleSessionName: 'cas-cert-bot',
        externalId: 'ext-1',
        stsEndpoint: host,
      },
      `http://${host}`,
    );

  it('assumes the role with the default chain, over http for a simulator URL', async () => {
    answer = {
      status: 200,
      body: {
        RequestId: 'req-1',
        Credentials: {
          AccessKeyId: 'STS.assumed',
          AccessKeySecret: 'sTsSeCrEt',
          SecurityToken: 'sts-token-value',
          Expiration: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      },
    };
    const credential = credentialFor(role()) as Credential;
    const resolved = await credential.getCredential();
    expect(resolved).toMatchObject({ accessKeyId: 'STS.assumed', securityToken: 'sts-token-value' });
    expect(requests).toHaveLength(1);
    expect(requests[0].query.get('Action')).toBe('AssumeRole');
    expect(requests[0].query.get('AccessKeyId')).toBe(BASE_KEY_ID);
    expect(Object.fromEntries(requests[0].body)).toEqual({
      RoleArn: 'acs:ram::123456789012:role/cert-bot',
      RoleSessionName: 'cas-cert-bot',
      ExternalId: 'ext-1',
      DurationSeconds: '3600',
    });
    // The session is reused until it nears its end.
    await credential.getCredential();
    expect(requests).toHaveLength(1);
  });

  it('names the role and the STS error code when STS refuses', async () => {
    answer = {
      status: 404,
      body: { RequestId: 'req-404', Code: 'EntityNotExist.Role', Message: 'The specified Role not exists .' },
    };
    const error = await rejection(transportFor(role()).accountKey());
    expect(error).toMatchObject({ kind: 'auth', code: 'InvalidCredentials', requestId: 'req-404' });
    expect(error.message).toBe(
      `credentials failed with InvalidCredentials: role acs:ram::123456789012:role/cert-bot: STS at ${host} refused AssumeRole with EntityNotExist.Role (The specified Role not exists .)`,
    );
    expect(error.hint).toBe('Check roleArn: acs:ram::123456789012:role/cert-bot does not exist.');

    answer = { status: 403, body: { RequestId: 'req-403', Code: 'NoPermission', Message: 'You are not authorized.' } };
    const denied = await rejection(transportFor(role()).accountKey());
    expect(denied.message).toContain('refused AssumeRole with NoPermission');
    expect(denied.hint).toContain('sts:AssumeRole');
  });

  it('says when the default chain has nothing to assume the role with', async () => {
    delete process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
    delete process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
    const error = await rejection(transportFor(role()).accountKey());
    expect(error.message).toBe(
      'credentials failed with InvalidCredentials: role acs:ram::123456789012:role/cert-bot: the default credential chain found no credentials to assume the role with',
    );
    expect(requests).toHaveLength(0);
  });

  it('says when STS cannot be reached', async () => {
    const config = role();
    const unreachable = { ...config, credentials: { ...config.credentials, stsEndpoint: '127.0.0.1:1' } };
    const error = await rejection(transportFor(unreachable as AccountConfig).accountKey());
    expect(error.message).toMatch(
      /role acs:ram::123456789012:role\/cert-bot: could not reach STS at 127\.0\.0\.1:1 \(/,
    );
  });
});
