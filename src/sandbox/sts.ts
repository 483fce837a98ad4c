import { createHash, randomBytes } from 'node:crypto';
import { invalidParameter, missingParameter, SandboxError } from './errors';
import type { Params } from './operations';

/**
 * STS AssumeRole as sts.aliyuncs.com answers it, enough for @alicloud/credentials'
 * RAMRoleARNCredentialsProvider: a caller's key buys a temporary key (AccessKeyId `STS.…`,
 * secret and SecurityToken) that then signs calls as the role's account until it expires.
 */

export const STS_VERSION = '2015-04-01';
export const ASSUME_ROLE_ACTION = 'AssumeRole';
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 3600;

/** A temporary key issued by AssumeRole. */
export interface TemporaryKey {
  accessKeyId: string;
  secret: string;
  securityToken: string;
  /** The account of the role: the calls it signs are routed there. */
  account: string;
  roleArn: string;
  sessionName: string;
  /** Simulator clock, epoch ms (whole seconds). */
  expiresAt: number;
}

export interface AssumeRoleRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
}

export const ROLE_ARN = /^acs:ram::\d+:role\/[\w.@+=,-]{1,64}$/i;
const SESSION_NAME = /^[\w.@-]{2,64}$/;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The request's parameters, or the SandboxError STS answers for them. */
export function parseAssumeRole(params: Params): AssumeRoleRequest {
  const roleArn = params.RoleArn ?? '';
  if (roleArn === '') throw missingParameter('RoleArn');
  if (!ROLE_ARN.test(roleArn)) {
    throw new SandboxError(400, 'InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed.');
  }
  const sessionName = params.RoleSessionName ?? '';
  if (sessionName === '') throw missingParameter('RoleSessionName');
  if (!SESSION_NAME.test(sessionName)) {
    throw new SandboxError(400, 'InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.');
  }
  const rawDuration = params.DurationSeconds ?? '';
  const durationSeconds = rawDuration === '' ? MAX_DURATION_SECONDS : Number(rawDuration);
  if (
    !/^\d*$/.test(rawDuration) ||
    !Number.isInteger(durationSeconds) ||
    durationSeconds < MIN_DURATION_SECONDS ||
    durationSeconds > MAX_DURATION_SECONDS
  ) {
    throw new SandboxError(
      400,
      'InvalidParameter.DurationSeconds',
      `The Min/Max value of DurationSeconds is 15min/1hr, got "${rawDuration}".`,
    );
  }
  if (params.Policy !== undefined && params.Policy !== '') {
    try {
      JSON.parse(params.Policy);
    } catch {
      throw new SandboxError(
        400,
        'InvalidParameter.PolicyGrammar',
        'The parameter Policy has not a valid JSON format.',
      );
    }
  }
  if (params.ExternalId !== undefined && !/^[\w=,.@:/-]{0,1224}$/.test(params.ExternalId)) {
    throw invalidParameter('ExternalId', params.ExternalId, 'only letters, digits and =,.@:/-_ are allowed');
  }
  return { roleArn, sessionName, durationSeconds };
}

export function roleNotFound(roleArn: string): SandboxError {
  return new SandboxError(404, 'EntityNotExist.Role', `The role not exists: ${roleArn}.`);
}

/** UTC ISO 8601 without milliseconds, as STS writes Expiration. */
export function stsTimestamp(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

/** The temporary keys issued so far, by AccessKeyId. */
export class StsIssuer {
  private readonly keys = new Map<string, TemporaryKey>();

  get(accessKeyId: string): TemporaryKey | undefined {
    return this.keys.get(accessKeyId);
  }

  issue(request: AssumeRoleRequest, account: string, now: number): TemporaryKey {
    let accessKeyId: string;
    do accessKeyId = `STS.${randomBase62(25)}`;
    while (this.keys.has(accessKeyId));
    const key: TemporaryKey = {
      accessKeyId,
      secret: randomBase62(44),
      securityToken: `CAIS${randomBytes(240).toString('base64')}`,
      account,
      roleArn: request.roleArn,
      sessionName: request.sessionName,
      expiresAt: Math.floor(now / 1000) * 1000 + request.durationSeconds * 1000,
    };
    this.keys.set(accessKeyId, key);
    return key;
  }
}

/** The 200 body of AssumeRole (without RequestId, which the server adds). */
export function assumeRoleBody(key: TemporaryKey): Record<string, unknown> {
  return {
    AssumedRoleUser: {
      Arn: `${key.roleArn}/${key.sessionName}`,
      AssumedRoleId: `${roleId(key.roleArn)}:${key.sessionName}`,
    },
    Credentials: {
      AccessKeyId: key.accessKeyId,
      AccessKeySecret: key.secret,
      SecurityToken: key.securityToken,
      Expiration: stsTimestamp(key.expiresAt),
    },
  };
}

/** A stable 18-digit role ID derived from the ARN (real role IDs are numeric strings). */
function roleId(roleArn: string): string {
  const digest = createHash('sha256').update(roleArn.toLowerCase()).digest();
  return (300_000_000_000_000_000n + (digest.readBigUInt64BE(0) % 100_000_000_000_000_000n)).toString();
}

function randomBase62(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += BASE62[byte % BASE62.length];
  return out;
}
