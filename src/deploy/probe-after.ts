import type { DeploymentProbeSummary, DeploymentRequest } from '../domain/deployment-request';
import { type Endpoint, endpointKey } from '../domain/endpoints';
import type { EndpointVerdict, ProbeInventoryCertificate } from '../domain/probe-verdict';
import { buildProbeTargets } from '../domain/probe-targets';
import { describeVerdict } from '../render/probe';
import type { ProbeResultStore } from '../store/types';
import { checkEndpoints } from '../probe/check';
import type { Prober } from '../probe/prober';

/**
 * After a deployment job: what its resources' endpoints serve now. The endpoints are those the
 * scheduled probe pass would probe for the resources (a domain at its listener port or 443; a
 * load balancer listener without one at every name of the new certificate), the probes are
 * judged against the inventory, and the verdicts join the stored ones as a pass's would.
 */

/** Probes endpoints now; what `serve` passes in when PROBE_INTERVAL_MINUTES > 0. */
export type ProbeEndpoints = (endpoints: readonly Endpoint[]) => Promise<EndpointVerdict[]>;

/** A request message lists at most this many endpoints; the rest are not probed. */
export const MAX_PROBED_AFTER_DEPLOYMENT = 20;

/** The endpoints of a request's resources, as the probe-target rules make them (first MAX_PROBED_AFTER_DEPLOYMENT). */
export function deploymentEndpoints(
  request: Pick<DeploymentRequest, 'account' | 'newCertificateId' | 'resources' | 'facts'>,
  now: Date,
): Endpoint[] {
  const names = request.facts?.newNames ?? [];
  const { targets } = buildProbeTargets({
    certificates: [
      {
        account: request.account,
        id: request.newCertificateId,
        certificateId: request.newCertificateId,
        commonName: names[0],
        sans: names,
        expired: false,
        uploaded: false,
        deployment: { resources: request.resources },
      },
    ],
    maxTargets: Number.MAX_SAFE_INTEGER,
    now,
  });
  return targets
    .filter((t) => t.origins.includes('resource'))
    .slice(0, MAX_PROBED_AFTER_DEPLOYMENT)
    .map((t) => ({ host: t.host, port: t.port }));
}

/** One verdict as the request message keeps it. */
export function probeSummary(verdict: EndpointVerdict): DeploymentProbeSummary {
  const summary: DeploymentProbeSummary = {
    endpoint: endpointKey(verdict.endpoint),
    verdict: verdict.verdict,
    text: verdict.failure ? verdict.failure.message : describeVerdict(verdict),
  };
  const served = verdict.served?.match?.certificate;
  if (served) summary.certificateId = served.certificateId ?? served.id;
  if (verdict.failure) summary.failed = true;
  return summary;
}

/**
 * Probes `endpoints` as the scheduled pass does (no PROBE_DENY check: the names come from CAS,
 * not from a person) and stores their verdicts in place of the stored ones for the same
 * endpoints, keeping the others; failures in a row carry on from the stored verdicts.
 */
export async function probeAndRecord(input: {
  endpoints: readonly Endpoint[];
  prober: Prober;
  certificates: readonly ProbeInventoryCertificate[];
  results: ProbeResultStore;
  failuresBeforeAlert: number;
  now: () => Date;
}): Promise<EndpointVerdict[]> {
  const stored = await input.results.list();
  const previous = new Map(stored.map((v) => [endpointKey(v.endpoint), v.consecutiveFailures]));
  const { verdicts } = await checkEndpoints({
    endpoints: input.endpoints,
    prober: input.prober,
    certificates: input.certificates,
    now: input.now,
    previousFailures: (endpoint) => previous.get(endpointKey(endpoint)) ?? 0,
    failuresBeforeAlert: input.failuresBeforeAlert,
  });
  const fresh = new Set(verdicts.map((v) => endpointKey(v.endpoint)));
  // Read again: a scheduled pass may have stored its verdicts while these probes ran.
  const latest = await input.results.list();
  await input.results.replace([...latest.filter((v) => !fresh.has(endpointKey(v.endpoint))), ...verdicts]);
  return verdicts;
}
