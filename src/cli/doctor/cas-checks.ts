import { describeCredentials } from '../../accounts/account-config';
import type { CasClient } from '../../cas/client';
import { parseEndpoint } from '../../cas/endpoint';
import { CasError } from '../../cas/errors';
import type { AccountHandle } from '../../services';
import { type ClockSample, fetchDate } from './clock-check';
import { checkDeploymentContacts, deploymentReads } from './deployment-checks';
import { type CheckResult, CheckTimeout, fail, pass, reasonOf, skip, withTimeout } from './report';

/** The read operations the bot calls, each with the cheapest call that proves the permission. */
const READS: ReadonlyArray<[operation: string, call: (cas: CasClient) => Promise<unknown>]> = [
  ['GetRiskCount', (cas) => cas.getRiskCount()],
  ['GetAssetCount', (cas) => cas.getAssetCount()],
  ['ListUserCertificateOrder', (cas) => cas.listCertificatePage({ pageSize: 1 }, 1)],
  ['ListCloudResources', (cas) => cas.listCloudResourcePage(1, { pageSize: 1 })],
  // A serial no certificate has: the answer (unknown, or a refused parameter) proves the call was allowed.
  ['DescribeClientCertificateStatusForSerialNumber', (cas) => cas.getCertificateStatus('00')],
];

type Outcome = { ok: true } | { ok: false; error: unknown };

async function attempt(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    await withTimeout(call());
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

const sentence = (hint: string) => hint.charAt(0).toLowerCase() + hint.slice(1).replace(/\.$/, '');
const requestIdOf = (error: CasError) => (error.requestId ? `, RequestId ${error.requestId}` : '');

/** What went wrong with a call other than a denial: `failed (ServiceUnavailable, RequestId …)`. */
function failure(check: string, what: string, error: unknown): CheckResult {
  if (error instanceof CheckTimeout)
    return fail(
      check,
      `${what} did not answer within ${error.ms / 1000} s`,
      'check that CAS is reachable from the bot and try again',
    );
  if (error instanceof CasError)
    return fail(check, `${what} failed (${error.code}${requestIdOf(error)})`, sentence(error.hint));
  return fail(check, `${what} failed (${reasonOf(error)})`, 'try again; the bot logs the details');
}

/**
 * One account: the endpoint answers at all, the credentials are accepted (GetAssetCount), and
 * every read operation is allowed, with the RAM action to grant when one is denied. Answers the
 * endpoint's Date header for the clock check.
 */
export async function checkCasAccount(
  account: AccountHandle,
  emit: (result: CheckResult) => void,
  options: {
    now: () => Date;
    endpointVariable: string;
    /** DEPLOY_ENABLED: the deployment reads too, and the contacts jobs notify. */
    deployment?: { contactIds: readonly string[] };
  },
): Promise<ClockSample | undefined> {
  const check = `CAS ${account.name}`;
  const endpoint = parseEndpoint(account.config.endpoint);
  const url = `${endpoint.protocol}://${endpoint.host}/`;
  let sample: ClockSample | undefined;
  try {
    const answer = await fetchDate(url, options.now);
    if (answer.server) sample = { source: `CAS at ${url}`, server: answer.server, local: answer.local };
    emit(pass(check, `endpoint ${url} reachable`));
  } catch (error) {
    const what =
      error instanceof CheckTimeout ? `did not answer within ${error.ms / 1000} s` : `unreachable (${reasonOf(error)})`;
    emit(
      fail(
        check,
        `endpoint ${url} ${what}`,
        `check ${options.endpointVariable} and that the bot's network (firewall, proxy, DNS) reaches it`,
      ),
    );
    emit(skip(check, 'credentials and permissions not checked (endpoint unreachable)'));
    return undefined;
  }

  let cas: CasClient;
  try {
    cas = await withTimeout(account.cas());
  } catch (error) {
    emit(failure(check, 'the CAS client', error));
    return sample;
  }

  // The credentials: GetAssetCount answering, or refusing only for want of its RAM action
  // (a RAM denial comes after the signature and the key were accepted).
  const probe = await attempt(() => cas.getAssetCount());
  const credentials = describeCredentials(account.config.credentials);
  const denied = (error: unknown): error is CasError =>
    error instanceof CasError &&
    error.kind === 'auth' &&
    (error.ramAction !== undefined || /^(NoPermission|Forbidden(\.RAM|\.NoPermission)?)$/.test(error.code));
  if (probe.ok || denied(probe.error)) {
    emit(pass(check, `credentials accepted: ${credentials}`));
  } else {
    const error = probe.error;
    if (error instanceof CasError && error.kind === 'auth')
      emit(
        fail(check, `credentials refused (${error.code}${requestIdOf(error)}; ${credentials})`, sentence(error.hint)),
      );
    else emit(failure(check, 'GetAssetCount', error));
    emit(skip(check, 'permissions not checked (the credentials could not be confirmed)'));
    return sample;
  }

  const deployment = options.deployment ? await deploymentReads(cas, check) : undefined;
  for (const [operation, call] of [...READS, ...(deployment?.reads ?? [])]) {
    const outcome = operation === 'GetAssetCount' ? probe : await attempt(() => call(cas));
    if (outcome.ok) {
      emit(pass(check, `${operation} allowed`));
      continue;
    }
    const error = outcome.error;
    if (denied(error))
      emit(fail(check, `${operation} denied`, `grant ${error.ramAction ?? `yundun-cert:${operation}`}`));
    else if (error instanceof CasError && (error.kind === 'bad_input' || error.kind === 'not_found'))
      // Refused for its (dummy) arguments: the call got past the permission check.
      emit(pass(check, `${operation} allowed (answered ${error.code} for a test value)`));
    else emit(failure(check, operation, error));
  }
  if (options.deployment) {
    for (const skipped of deployment?.skipped ?? []) emit(skipped);
    emit(await checkDeploymentContacts(cas, check, options.deployment.contactIds));
  }
  emit(
    skip(check, 'AssignCertificateCount not checked (a write); /cert-assign needs yundun-cert:AssignCertificateCount'),
  );
  return sample;
}
