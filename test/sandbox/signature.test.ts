import {
  canonicalQueryString,
  DEFAULT_ACCESS_KEY_ID,
  generateDataset,
  percentEncode,
  type Sandbox,
  setCertificateStatus,
  startSandbox,
} from '../../src/sandbox';
import { canonicalUri, NonceCache, parseAuthorization } from '../../src/sandbox/signature';
import { callCas, failureOf, sandboxClient } from './cas-client';
import { acsDate, sendSigned } from './signed-request';

const SSL = '2020-04-07';
const MINUTE = 60_000;
const TRICKY = "Tricky name *(x)!'~ + & = % 证书 ü";

describe('canonicalisation rules', () => {
  it('escapes what encodeURIComponent leaves alone, except ~', () => {
    expect(percentEncode("a b*(x)!'~")).toBe('a%20b%2A%28x%29%21%27~');
    expect(percentEncode('证')).toBe('%E8%AF%81');
  });

  it('sorts keys by code unit and leaves them unencoded', () => {
    expect(canonicalQueryString({ b: '1', B: '2', _: '3', a: '' })).toBe('B=2&_=3&a=&b=1');
  });

  it('replaces only the first +, * and %7E in the path, like openapi-util', () => {
    expect(canonicalUri('/a+b+c*d*%7E%7E')).toBe('/a%20b+c%2Ad*~%7E');
  });

  it('parses the Authorization header the client builds', () => {
    expect(parseAuthorization('ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=ab12')).toEqual({
      algorithm: 'ACS3-HMAC-SHA256',
      accessKeyId: 'AK',
      signedHeaders: ['host', 'x-acs-date'],
      signature: 'ab12',
    });
    expect(parseAuthorization('ACS3-HMAC-SHA256 Credential=AK,Signature=ab12')).toBeUndefined();
  });

  it('remembers nonces for the window only, and stays bounded', () => {
    const cache = new NonceCache(1000, 3);
    expect(cache.claim('n1', 0)).toBe(true);
    expect(cache.claim('n1', 999)).toBe(false);
    expect(cache.claim('n1', 1000)).toBe(true);
    for (const n of ['a', 'b', 'c', 'd']) cache.claim(n, 1500);
    expect(cache.size).toBe(3);
  });
});

describe('signature check against the real openapi-client', () => {
  let sandbox: Sandbox;
  let trickyId: number;

  beforeAll(async () => {
    const dataset = generateDataset({ count: 60, seed: 7 });
    const cert = dataset.certificates[3];
    if (!cert) throw new Error('data set too small');
    setCertificateStatus(dataset, cert.certificateId, 'ISSUED');
    cert.sans = `${cert.commonName},${TRICKY}`;
    trickyId = cert.certificateId;
    sandbox = await startSandbox({ dataset, qps: 1000 });
  });
  afterAll(() => sandbox.close());

  it('accepts a Keyword full of characters the wire and the signer encode differently', async () => {
    const body = await callCas(sandboxClient(sandbox), 'ListUserCertificateOrder', SSL, {
      OrderType: 'CERT',
      Keyword: TRICKY,
    });
    expect(body.TotalCount).toBe(1);
    expect(body.CertificateOrderList).toEqual([expect.objectContaining({ CertificateId: trickyId })]);
    expect(sandbox.calls.at(-1)?.query.Keyword).toBe(TRICKY);
  });

  it('accepts extra parameters whose keys sort differently by code unit than alphabetically', async () => {
    const body = await callCas(sandboxClient(sandbox), 'ListUserCertificateOrder', SSL, {
      OrderType: 'CERT',
      Keyword: TRICKY,
      zeta: 'z',
      Alpha: '1+1=2',
      _under: '',
    });
    expect(body.TotalCount).toBe(1);
  });

  it('accepts GET with the parameters in the query', async () => {
    const body = await callCas(
      sandboxClient(sandbox),
      'ListUserCertificateOrder',
      SSL,
      { OrderType: 'CERT', Keyword: TRICKY },
      { method: 'GET' },
    );
    expect(body.TotalCount).toBe(1);
  });

  it('accepts the parameters as a signed form body', async () => {
    const body = await callCas(
      sandboxClient(sandbox),
      'ListUserCertificateOrder',
      SSL,
      { OrderType: 'CERT', Keyword: TRICKY },
      { asForm: true },
    );
    expect(body.TotalCount).toBe(1);
  });

  it('rejects a wrong secret with SignatureDoesNotMatch and shows its string to sign', async () => {
    const failure = await failureOf(callCas(sandboxClient(sandbox, { accessKeySecret: 'wrong' }), 'GetRiskCount', SSL));
    expect(failure).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
    expect(failure.message).toContain('ACS3-HMAC-SHA256\n');
    expect(sandbox.calls.at(-1)).toMatchObject({ accessKeyId: DEFAULT_ACCESS_KEY_ID, status: 400 });
  });

  it('rejects an unknown AccessKeyId with 404 InvalidAccessKeyId.NotFound', async () => {
    const failure = await failureOf(
      callCas(sandboxClient(sandbox, { accessKeyId: 'LTAI5tNobody' }), 'GetRiskCount', SSL),
    );
    expect(failure).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
  });

  it('rejects a request without Authorization', async () => {
    const answer = await sendSigned(sandbox, { action: 'GetRiskCount', version: SSL, authorization: null });
    expect(answer.status).toBe(400);
    expect(answer.json().Code).toBe('MissingAuthorization');
  });

  it('rejects a query changed after signing', async () => {
    const answer = await sendSigned(sandbox, {
      action: 'ListUserCertificateOrder',
      version: SSL,
      query: { OrderType: 'CERT', Keyword: 'shop' },
      sentQuery: { OrderType: 'CERT', Keyword: 'shop2' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json().Code).toBe('SignatureDoesNotMatch');
  });

  it('rejects a body that does not match x-acs-content-sha256', async () => {
    const answer = await sendSigned(sandbox, {
      action: 'GetRiskCount',
      version: SSL,
      body: 'OrderType=CERT',
      sentBody: 'OrderType=UPLOAD',
    });
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ Code: 'SignatureDoesNotMatch' });
    expect(String(answer.json().Message)).toContain('x-acs-content-sha256');
  });

  it('rejects an x-acs-* header that is not signed', async () => {
    const answer = await sendSigned(sandbox, {
      action: 'GetRiskCount',
      version: SSL,
      unsignedHeaders: { 'x-acs-security-token': 'injected' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json().Code).toBe('IncompleteSignature');
  });

  it('rejects a replayed nonce, but not a fresh one', async () => {
    const nonce = 'f'.repeat(32);
    const first = await sendSigned(sandbox, { action: 'GetRiskCount', version: SSL, nonce });
    const replay = await sendSigned(sandbox, { action: 'GetRiskCount', version: SSL, nonce });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(400);
    expect(replay.json().Code).toBe('SignatureNonceUsed');
  });

  it('rejects a badly formatted x-acs-date', async () => {
    const answer = await sendSigned(sandbox, { action: 'GetRiskCount', version: SSL, date: 'yesterday' });
    expect(answer.json().Code).toBe('InvalidTimeStamp.Format');
  });
});

describe('clock skew', () => {
  it('rejects x-acs-date more than 15 minutes off the simulator clock', async () => {
    const sandbox = await startSandbox({ certs: 10, now: () => Date.now() + 20 * MINUTE });
    try {
      const failure = await failureOf(callCas(sandboxClient(sandbox), 'GetRiskCount', SSL));
      expect(failure).toMatchObject({ code: 'InvalidTimeStamp.Expired', statusCode: 400 });
      // The same request signed 20 minutes "later" is fine: only the difference counts.
      const answer = await sendSigned(sandbox, {
        action: 'GetRiskCount',
        version: SSL,
        date: acsDate(Date.now() + 20 * MINUTE),
      });
      expect(answer.status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it('accepts a client 14 minutes behind', async () => {
    const sandbox = await startSandbox({ certs: 10, now: () => Date.now() + 14 * MINUTE });
    try {
      const body = await callCas(sandboxClient(sandbox), 'GetRiskCount', SSL);
      expect(typeof body.RequestId).toBe('string');
    } finally {
      await sandbox.close();
    }
  });
});
