import { createCasClient } from '../../src/cas/client';
import { parseEndpoint } from '../../src/cas/endpoint';
import { CasError, casErrorFromUpstream } from '../../src/cas/errors';
import { createTransport, type TransportOptions } from '../../src/cas/transport';
import { DEFAULT_ACCESS_KEY_ID, type Sandbox, startSandbox } from '../../src/sandbox';
import { clientFor } from '../helpers/cas';
import { runCli } from '../helpers/run-cli';

/** What a person reads when a CAS call fails: where it went, CAS's own words, what to do. */

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ certs: 20, seed: 3, qps: 50 });
});
afterAll(async () => {
  await sandbox.close();
});

async function failure(promise: Promise<unknown>): Promise<CasError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CasError) return error;
    throw new Error(`expected a CasError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

function clientAt(endpoint: string, extra: Partial<TransportOptions> = {}) {
  return createCasClient({
    transport: createTransport({
      endpoint: parseEndpoint(endpoint),
      region: 'cn-hangzhou',
      credentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: 'some-secret-value-123' },
      timeoutMs: 1_000,
      ...extra,
    }),
    qps: 50,
    maxConcurrent: 5,
    attempts: 1,
    cacheTtlSeconds: 0,
    retryBaseDelayMs: 10,
  });
}

describe('network errors name the endpoint and what sets it', () => {
  test('connection refused: check CAS_ENDPOINT, not "try again in a minute"', async () => {
    const client = clientAt('http://127.0.0.1:1');
    const error = await failure(client.getRiskCount());
    expect(error).toMatchObject({ kind: 'unavailable', code: 'NetworkError', retryable: true });
    expect(error.message).toBe(
      'GetRiskCount could not reach Certificate Management Service at http://127.0.0.1:1 (connection refused)',
    );
    expect(error.hint).toMatch(/^Check CAS_ENDPOINT \(http:\/\/127\.0\.0\.1:1\): nothing accepts connections there/);
    expect(error.hint).not.toContain('try again in a minute');
    await client.close();
  });

  test('an account of CAS_ACCOUNTS_FILE is named instead of CAS_ENDPOINT', async () => {
    const client = clientAt('http://127.0.0.1:1', {
      endpointName: 'the site of account prod in CAS_ACCOUNTS_FILE',
    });
    const error = await failure(client.getAssetCount());
    expect(error.hint).toMatch(/^Check the site of account prod in CAS_ACCOUNTS_FILE \(http:\/\/127\.0\.0\.1:1\)/);
    expect(error.hint).not.toContain('CAS_ENDPOINT');
    await client.close();
  });

  test('a host that does not resolve: check the name', async () => {
    const client = clientAt('https://cas.example.invalid');
    const error = await failure(client.getRiskCount());
    expect(error.message).toBe(
      'GetRiskCount could not reach Certificate Management Service at https://cas.example.invalid (host not found)',
    );
    expect(error.hint).toMatch(
      /^Check CAS_ENDPOINT \(https:\/\/cas\.example\.invalid\): its host name does not resolve/,
    );
    await client.close();
  });

  test('a 503 keeps the hint to try again in a minute', async () => {
    sandbox.failNext(1, { status: 503, code: 'ServiceUnavailable', message: 'The service is busy.' });
    const client = clientFor(sandbox, { attempts: 1 });
    const error = await failure(client.getRiskCount());
    expect(error).toMatchObject({ kind: 'unavailable', code: 'ServiceUnavailable' });
    expect(error.message).toBe('GetRiskCount failed with ServiceUnavailable: "The service is busy."');
    expect(error.hint).toBe('Certificate Management Service is unavailable right now; try again in a minute.');
    await client.close();
  });
});

describe("CAS's own message is quoted cleanly", () => {
  test('a wrong AccessKey secret: the sentence before the string to sign, and the variable to check', async () => {
    const client = clientFor(sandbox, { accessKeySecret: 'wrong-secret-abcdef-123', attempts: 1 });
    const error = await failure(client.getRiskCount());
    expect(error).toMatchObject({ kind: 'auth', code: 'SignatureDoesNotMatch' });
    expect(error.message).toBe(
      'GetRiskCount failed with SignatureDoesNotMatch: "Specified signature does not match our calculation."',
    );
    expect(error.hint).toBe('Check ALIBABA_CLOUD_ACCESS_KEY_SECRET: it does not match the key id.');
    expect(error.message).not.toContain('wrong-secret-abcdef-123');
    await client.close();
  });

  test.each([
    [
      'Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DLTAI',
      'Specified signature is not matched with our calculation.',
    ],
    [
      'Specified signature does not match our calculation. The StringToSign is: GET&%2F&x',
      'Specified signature does not match our calculation.',
    ],
    ['The specified certificate does not exist.', 'The specified certificate does not exist.'],
  ])('%s', (message, quoted) => {
    const error = casErrorFromUpstream({
      operation: 'GetRiskCount',
      code: 'SignatureDoesNotMatch',
      statusCode: 400,
      serviceMessage: message,
    });
    expect(error.message).toBe(`GetRiskCount failed with SignatureDoesNotMatch: ${JSON.stringify(quoted)}`);
  });
});

test('the command line: one line with the endpoint, CAS_ENDPOINT and no secret (built CLI)', async () => {
  const result = await runCli(['risk'], {
    CAS_ENDPOINT: 'http://127.0.0.1:1',
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'some-secret-value-123',
    CAS_MAX_ATTEMPTS: '1',
  });
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toContain(
    'GetRiskCount could not reach Certificate Management Service at http://127.0.0.1:1 (connection refused)',
  );
  expect(result.stderr).toContain('Check CAS_ENDPOINT (http://127.0.0.1:1)');
  expect(result.stderr).not.toContain('some-secret-value-123');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});
