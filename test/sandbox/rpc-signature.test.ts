import {
  generateDataset,
  riskCounts,
  type Sandbox,
  sandboxAccessKey,
  rpcStringToSign,
  startSandbox,
} from '../../src/sandbox';
import { callCas, sandboxClient } from './cas-client';
import { rpcStringToSignFromSpec, rpcTimestamp, sendRpc } from './rpc-request';
import { sendSigned } from './signed-request';

const SSL = '2020-04-07';
const PCA = '2020-06-30';
const MINUTE = 60_000;
const STAGING = sandboxAccessKey(2);
const MISMATCH_PREFIX = 'Specified signature is not matched with our calculation. server string to sign is:';

let sandbox: Sandbox;
let clock = Date.now();
const staging = () => ({ accessKeyId: STAGING.accessKeyId, secret: STAGING.accessKeySecret });

beforeAll(async () => {
  sandbox = await startSandbox({
    qps: Number.POSITIVE_INFINITY,
    now: () => clock,
    accounts: [
      { name: 'prod', dataset: generateDataset({ count: 30, seed: 21 }) },
      { name: 'staging', dataset: generateDataset({ count: 20, seed: 22 }) },
    ],
  });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  clock = Date.now();
  sandbox.resetCalls();
});

describe('RPC signature (HMAC-SHA1, version 1.0)', () => {
  it('matches the string to sign a spec-written signer builds', () => {
    const params = { Action: 'GetRiskCount', Keyword: "a b*(x)!'~", Version: SSL, ünï: '证' };
    expect(rpcStringToSign('POST', params)).toBe(rpcStringToSignFromSpec('POST', params));
    expect(rpcStringToSign('GET', { B: '1', A: '2', Signature: 'ignored' })).toBe('GET&%2F&A%3D2%26B%3D1');
  });

  it('accepts a signed POST and routes it to the account of the key', async () => {
    const answer = await sendRpc(sandbox, { action: 'GetRiskCount', version: SSL, ...staging() });
    expect(answer.status).toBe(200);
    const { RequestId, ...counts } = answer.json();
    expect(RequestId).toEqual(expect.any(String));
    expect(counts).toEqual(riskCounts(sandbox.account('staging').dataset));
    expect(counts).not.toEqual(riskCounts(sandbox.account('prod').dataset));
    expect(sandbox.calls).toEqual([
      expect.objectContaining({
        action: 'GetRiskCount',
        version: SSL,
        account: 'staging',
        accessKeyId: STAGING.accessKeyId,
        status: 200,
        query: {},
      }),
    ]);
  });

  it('takes the parameters from a form body or a GET query, and Action/Version from them (not headers)', async () => {
    const serial = sandbox.account('prod').dataset.certificates[0]?.serialNo as string;
    const asForm = await sendRpc(sandbox, {
      action: 'DescribeClientCertificateStatusForSerialNumber',
      version: PCA,
      params: { SerialNumber: serial },
      placement: 'form',
      headers: { 'x-acs-action': 'GetRiskCount', 'x-acs-version': SSL },
    });
    expect(asForm.status).toBe(200);
    expect(asForm.json().CertificateStatus).toEqual([expect.objectContaining({ SerialNumber: serial })]);
    expect(sandbox.calls[0]).toMatchObject({
      action: 'DescribeClientCertificateStatusForSerialNumber',
      version: PCA,
      query: { SerialNumber: serial },
    });

    const viaGet = await sendRpc(sandbox, {
      action: 'ListUserCertificateOrder',
      version: SSL,
      method: 'GET',
      params: { OrderType: 'CERT', ShowSize: '5', Keyword: "x (y)*!'" },
      ...staging(),
    });
    expect(viaGet.status).toBe(200);
    expect(viaGet.json()).toMatchObject({ ShowSize: 5, CurrentPage: 1 });
  });

  it('answers SignatureDoesNotMatch with the server string to sign for a wrong secret', async () => {
    const answer = await sendRpc(sandbox, { action: 'GetRiskCount', version: SSL, secret: 'not-the-secret' });
    expect(answer.status).toBe(400);
    const body = answer.json();
    expect(body).toMatchObject({ Code: 'SignatureDoesNotMatch', HostId: 'cas.aliyuncs.com' });
    // @alicloud/credentials strips exactly this prefix and compares the rest with its own string to sign.
    expect(String(body.Message).startsWith(MISMATCH_PREFIX)).toBe(true);
    expect(String(body.Message).slice(MISMATCH_PREFIX.length)).toBe(answer.stringToSign);
    expect(sandbox.calls[0]?.account).toBeUndefined();
  });

  it('refuses parameters changed after signing', async () => {
    const answer = await sendRpc(sandbox, {
      action: 'ListUserCertificateOrder',
      version: SSL,
      params: { ShowSize: '5' },
      afterSigning: (query) => {
        query.ShowSize = '500';
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.json().Code).toBe('SignatureDoesNotMatch');
  });

  it('answers 404 InvalidAccessKeyId.NotFound for an unknown key', async () => {
    const answer = await sendRpc(sandbox, { action: 'GetRiskCount', version: SSL, accessKeyId: 'LTAI5tNobody' });
    expect(answer.status).toBe(404);
    expect(answer.json().Code).toBe('InvalidAccessKeyId.NotFound');
  });

  it('names each missing signature parameter', async () => {
    const missing = async (name: string) => {
      const answer = await sendRpc(sandbox, {
        action: 'GetRiskCount',
        version: SSL,
        omit: name === 'Signature' ? [] : [name],
        afterSigning: (query) => {
          if (name === 'Signature') delete query.Signature;
        },
      });
      return { status: answer.status, code: answer.json().Code, message: answer.json().Message };
    };
    expect(await missing('Signature')).toEqual({
      status: 400,
      code: 'MissingSignature',
      message: 'Signature is mandatory for this action.',
    });
    expect(await missing('Timestamp')).toMatchObject({ status: 400, code: 'MissingTimestamp' });
    expect(await missing('SignatureNonce')).toMatchObject({ status: 400, code: 'MissingSignatureNonce' });
    expect(await missing('AccessKeyId')).toMatchObject({ status: 400, code: 'MissingAccessKeyId' });
    expect(await missing('Action')).toMatchObject({ status: 400, code: 'MissingAction' });
  });

  it('refuses a Timestamp more than 15 minutes off and a malformed one', async () => {
    const at = (offset: number) =>
      sendRpc(sandbox, { action: 'GetRiskCount', version: SSL, timestamp: rpcTimestamp(clock + offset) });
    expect((await at(-14 * MINUTE)).status).toBe(200);
    expect((await at(14 * MINUTE)).status).toBe(200);
    const late = await at(-16 * MINUTE);
    expect(late.status).toBe(400);
    expect(late.json().Code).toBe('InvalidTimeStamp.Expired');
    expect((await at(16 * MINUTE)).json().Code).toBe('InvalidTimeStamp.Expired');
    const malformed = await sendRpc(sandbox, { action: 'GetRiskCount', version: SSL, timestamp: '1 Dec 2026' });
    expect(malformed.json()).toMatchObject({ Code: 'InvalidTimeStamp.Format' });
  });

  it('refuses a reused SignatureNonce', async () => {
    const call = { action: 'GetRiskCount', version: SSL, nonce: 'nonce-used-twice-0001' };
    expect((await sendRpc(sandbox, call)).status).toBe(200);
    const again = await sendRpc(sandbox, call);
    expect(again.status).toBe(400);
    expect(again.json().Code).toBe('SignatureNonceUsed');
  });

  it('refuses another signature method', async () => {
    const answer = await sendRpc(sandbox, {
      action: 'GetRiskCount',
      version: SSL,
      afterSigning: (query) => {
        query.SignatureMethod = 'HMAC-MD5';
      },
    });
    expect(answer.json().Code).toBe('InvalidSignatureMethod');
  });

  it('still answers MissingAuthorization to a request with neither signature', async () => {
    const answer = await sendSigned(sandbox, { action: 'GetRiskCount', version: SSL, authorization: null });
    expect(answer.status).toBe(400);
    expect(answer.json().Code).toBe('MissingAuthorization');
  });

  it('keeps the V3 signature working next to it', async () => {
    await expect(callCas(sandboxClient(sandbox), 'GetRiskCount', SSL)).resolves.toMatchObject(
      riskCounts(sandbox.account('prod').dataset),
    );
    expect(sandbox.calls[0]).toMatchObject({ account: 'prod', status: 200 });
  });
});
