import Credential, {
  DefaultCredentialsProvider,
  ProfileCredentialsProvider,
  RAMRoleARNCredentialsProvider,
} from '@alicloud/credentials';
import { DescribedCredential } from '../cas/transport';
import { type AccountConfig, describeCredentials } from './account-config';

/** How long one assumed-role session lasts; the library renews it 15 minutes before it ends. */
export const ROLE_SESSION_SECONDS = 3600;

/**
 * The Credential an account's calls are signed with (see TransportOptions.credential):
 * - `keys`: undefined, the transport hands the explicit pair (and STS token) to openapi-client;
 * - `chain`: the default credential chain, as without an accounts file;
 * - `profile`: that profile of the credentials file (ALIBABA_CLOUD_CREDENTIALS_FILE or
 *   ~/.alibabacloud/credentials), read at the first call;
 * - `role`: the role assumed through STS with the default chain's credentials, for an hour at a
 *   time; the library's session provider renews it before it expires.
 * Building one does no I/O; a new one is built after a failed resolution.
 */
export function credentialFor(account: AccountConfig): Credential | undefined {
  const credentials = account.credentials;
  switch (credentials.kind) {
    case 'keys':
      return undefined;
    case 'chain':
      return new Credential();
    case 'profile':
      return new DescribedCredential(
        { kind: 'profile', description: describeCredentials(credentials) },
        ProfileCredentialsProvider.builder().withProfileName(credentials.profile).build(),
      );
    case 'role': {
      const builder = RAMRoleARNCredentialsProvider.builder()
        .withCredentialsProvider(DefaultCredentialsProvider.builder().build())
        .withRoleArn(credentials.roleArn)
        .withRoleSessionName(credentials.roleSessionName)
        .withStsEndpoint(credentials.stsEndpoint)
        .withDurationSeconds(ROLE_SESSION_SECONDS);
      if (credentials.externalId !== undefined) builder.withExternalId(credentials.externalId);
      const provider = builder.build();
      if (stsOverPlainHttp(account)) speakPlainHttp(provider);
      return new DescribedCredential(
        { kind: 'role', description: describeCredentials(credentials), stsEndpoint: credentials.stsEndpoint },
        provider,
      );
    }
  }
}

/**
 * The library always asks STS over HTTPS. An account whose site is a plain-http URL (the
 * simulator, which answers STS too) gets its STS calls over http as well, as long as they go to
 * that same host; any other STS endpoint keeps HTTPS.
 */
function stsOverPlainHttp(account: AccountConfig): boolean {
  if (account.site !== 'url' || account.credentials.kind !== 'role') return false;
  try {
    const url = new URL(account.endpoint);
    return url.protocol === 'http:' && url.host === account.credentials.stsEndpoint;
  } catch {
    return false;
  }
}

interface StsRequest {
  protocol?: string;
}

/** Swaps the provider's request function (kept replaceable by the library for tests) for one that uses http. */
function speakPlainHttp(provider: RAMRoleARNCredentialsProvider): void {
  const target = provider as unknown as { doRequest?: (request: StsRequest) => Promise<unknown> };
  const send = target.doRequest;
  if (typeof send !== 'function') return;
  target.doRequest = (request) => {
    request.protocol = 'http';
    return send(request);
  };
}
