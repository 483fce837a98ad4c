import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCasClient } from '../../src/cas/client';
import { parseEndpoint } from '../../src/cas/endpoint';
import { CasError } from '../../src/cas/errors';
import { createTransport } from '../../src/cas/transport';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type Sandbox, startSandbox } from '../../src/sandbox';

let sandbox: Sandbox;
const saved = { ...process.env };

beforeAll(async () => {
  sandbox = await startSandbox({ certs: 20, seed: 1, qps: 100 });
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(() => {
  process.env = { ...saved };
});

function clientWithoutKeys() {
  return createCasClient({
    transport: createTransport({
      endpoint: parseEndpoint(sandbox.url),
      region: 'cn-hangzhou',
      credentials: {},
      timeoutMs: 2000,
    }),
    qps: 50,
    maxConcurrent: 5,
    attempts: 1,
    cacheTtlSeconds: 0,
  });
}

function isolateChain(): void {
  // Only the provider under test may answer: no CLI profile, no ECS metadata service.
  for (const key of Object.keys(process.env)) if (key.startsWith('ALIBABA_CLOUD_')) delete process.env[key];
  process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = 'true';
  process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
  process.env.HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-home-'));
}

test('without a key pair in the configuration, the default chain finds a credentials file', async () => {
  isolateChain();
  const file = path.join(process.env.HOME as string, 'credentials.ini');
  fs.writeFileSync(
    file,
    `[default]\ntype = access_key\naccess_key_id = ${DEFAULT_ACCESS_KEY_ID}\naccess_key_secret = ${DEFAULT_ACCESS_KEY_SECRET}\n`,
  );
  process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = file;
  const client = clientWithoutKeys();
  const risk = await client.getRiskCount();
  expect(risk.RequestId).toBeDefined();
  expect(sandbox.calls.at(-1)).toMatchObject({ accessKeyId: DEFAULT_ACCESS_KEY_ID, status: 200 });
  await client.close();
});

test('with no credential anywhere, the error says how to provide one', async () => {
  isolateChain();
  const client = clientWithoutKeys();
  const error = await client.getAssetCount().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CasError);
  expect(error).toMatchObject({ kind: 'auth', code: 'InvalidCredentials' });
  expect((error as CasError).hint).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
  await client.close();
});
