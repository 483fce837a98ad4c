import { endpointKey } from '../domain/endpoints';
import type { EndpointVerdict } from '../domain/probe-verdict';
import { buildProbeTargets } from '../domain/probe-targets';
import type { ListedCertificate } from '../inventory/certificate-source';
import type { ProbeResultStore } from '../store/types';
import { checkEndpoints } from './check';
import type { Prober } from './prober';

/**
 * The scheduled probe pass: every target of the inventory as last synced (domains of deployed
 * resources, names of valid certificates) and PROBE_TARGETS, probed and judged, the verdicts
 * stored in place of the previous pass's. A failure counts toward `unreachable` only after
 * PROBE_FAILURES_BEFORE_ALERT passes in a row, so the count of failures in a row is carried
 * from the stored verdicts into this pass.
 */

export interface ProbePassInput {
  /** The inventory's present certificates, with replacements and deployments as the sync worked them out. */
  certificates: readonly ListedCertificate[];
  results: ProbeResultStore;
  prober: Prober;
  configured: readonly { host: string; port: number }[];
  maxTargets: number;
  failuresBeforeAlert: number;
  now: () => Date;
}

export interface ProbePassResult {
  verdicts: EndpointVerdict[];
  /** Targets found in all, and how many PROBE_MAX_TARGETS left out. */
  total: number;
  cut: number;
}

export async function runProbePass(input: ProbePassInput): Promise<ProbePassResult> {
  const list = buildProbeTargets({
    certificates: input.certificates,
    configured: input.configured,
    maxTargets: input.maxTargets,
    now: input.now(),
  });
  const previous = new Map((await input.results.list()).map((v) => [endpointKey(v.endpoint), v.consecutiveFailures]));
  const { verdicts } = await checkEndpoints({
    endpoints: list.targets,
    prober: input.prober,
    certificates: input.certificates,
    now: input.now,
    previousFailures: (endpoint) => previous.get(endpointKey(endpoint)) ?? 0,
    failuresBeforeAlert: input.failuresBeforeAlert,
  });
  await input.results.replace(verdicts);
  return { verdicts, total: list.total, cut: list.cut };
}
