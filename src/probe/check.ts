import type { Endpoint } from '../domain/endpoints';
import {
  type EndpointVerdict,
  indexProbeInventory,
  judgeEndpoint,
  type ProbeInventoryCertificate,
  type ProbeObservation,
} from '../domain/probe-verdict';
import type { Prober } from './prober';
import type { ProbeOptions } from './tls-probe';

/**
 * The probing use case: probe endpoints and judge each against the inventory. `cert-bot probe`
 * calls it for the hosts named or the whole target list; a scheduled pass calls it with each
 * endpoint's consecutive failures so far and PROBE_FAILURES_BEFORE_ALERT.
 */

export interface CheckEndpointsInput {
  endpoints: readonly Endpoint[];
  prober: Prober;
  /** The certificates to match against (with `replacedBy` when the inventory worked it out). */
  certificates: readonly ProbeInventoryCertificate[];
  now: () => Date;
  /** Handshakes per endpoint in this interval, one after the other (2+ can catch alternating edges); default 1. */
  samples?: number;
  /** The hosts were named by a person: refuse those resolving into PROBE_DENY. */
  checkDeny?: boolean;
  /** Failed probes in a row before this check, per `host:port` (a scheduled pass keeps them). */
  previousFailures?: (endpoint: Endpoint) => number;
  /** PROBE_FAILURES_BEFORE_ALERT for a scheduled pass; default 1 (a check made now reports at once). */
  failuresBeforeAlert?: number;
  /** Hears each probe as it lands (for a progress bar): probes done, probes in all. */
  onProgress?: (done: number, total: number) => void;
}

export interface CheckEndpointsResult {
  /** In the order of `endpoints`. */
  verdicts: EndpointVerdict[];
  /** Every probe made, per endpoint, oldest first. */
  observations: ProbeObservation[][];
}

export async function checkEndpoints(input: CheckEndpointsInput): Promise<CheckEndpointsResult> {
  const samples = Math.max(1, input.samples ?? 1);
  const options: ProbeOptions = { checkDeny: input.checkDeny };
  const total = samples * input.endpoints.length;
  const observations: ProbeObservation[][] = input.endpoints.map(() => []);
  let done = 0;
  for (let round = 0; round < samples; round++) {
    const results = await input.prober.probeAll(input.endpoints, {
      ...options,
      onResult: () => input.onProgress?.(++done, total),
    });
    results.forEach((result, index) => observations[index]?.push(result));
  }
  const now = input.now();
  const inventory = indexProbeInventory(input.certificates, now);
  const verdicts = input.endpoints.map((endpoint, index) =>
    judgeEndpoint({
      endpoint,
      observations: observations[index] ?? [],
      inventory,
      now,
      previousFailures: input.previousFailures?.(endpoint),
      failuresBeforeAlert: input.failuresBeforeAlert,
    }),
  );
  return { verdicts, observations };
}
