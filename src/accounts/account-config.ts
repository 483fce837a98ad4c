/**
 * One Alibaba Cloud account the bot watches: where its CAS endpoint is, how fast it may be
 * called and where its credentials come from. Built from CAS_ACCOUNTS_FILE (accounts-file.ts)
 * or, without a file, from the environment's variables (one account named `default`).
 */

/** `china` (cas.aliyuncs.com), `international` (cas.ap-southeast-1.aliyuncs.com) or an http(s) URL (the simulator). */
export type Site = 'china' | 'international' | 'url';

export type AccountCredentials =
  | {
      kind: 'keys';
      /** The names of the environment variables the pair was read from (shown to people, never the values). */
      idVariable: string;
      secretVariable: string;
      accessKeyId: string;
      accessKeySecret: string;
      securityToken?: string;
    }
  /** A profile of the Alibaba Cloud credentials file (~/.alibabacloud/credentials or ALIBABA_CLOUD_CREDENTIALS_FILE). */
  | { kind: 'profile'; profile: string }
  /** A RAM role assumed through STS (host[:port] `stsEndpoint`) with the default credential chain. */
  | { kind: 'role'; roleArn: string; roleSessionName: string; externalId?: string; stsEndpoint: string }
  /** The default credential chain: only for the account made from the environment without a file. */
  | { kind: 'chain' };

export interface AccountConfig {
  /** lowercase, [a-z][a-z0-9-]{0,31} */
  name: string;
  site: Site;
  /** what CAS_ENDPOINT takes: a host (https) or an http(s) URL */
  endpoint: string;
  region: string;
  qps: number;
  credentials: AccountCredentials;
  /** overrides DIGEST_CHANNEL for this account */
  digestChannels?: string[];
  /** overrides ALERT_CHANNEL for this account */
  alertChannel?: string;
}

/**
 * Where an account's credentials come from, for people (never a secret): `keys (env PROD_KEY_ID)`,
 * `profile prod`, `role acs:ram::1:role/x`, `default chain`.
 */
export function describeCredentials(c: AccountCredentials): string {
  switch (c.kind) {
    case 'keys':
      return `keys (env ${c.idVariable}${c.securityToken !== undefined ? ', with STS token' : ''})`;
    case 'profile':
      return `profile ${c.profile}`;
    case 'role':
      return `role ${c.roleArn}`;
    case 'chain':
      return 'default chain';
  }
}
