import { createSecureContext } from 'node:tls';
import pMap from 'p-map';
import type { Endpoint, ResolveRule } from '../domain/endpoints';
import type { ProbeObservation } from '../domain/probe-verdict';
import { createAddressResolver, type Lookup } from './address';
import { createDenyList } from './deny';
import { type ProbeOptions, probeEndpoint } from './tls-probe';
import { trustStore } from './trust';

/**
 * Probes endpoints with the settings of PROBE_*: one at a time for a command, or a whole pass
 * with at most PROBE_CONCURRENCY in flight. Built once (the trust store is parsed once).
 */

export interface ProberSettings {
  resolve?: readonly ResolveRule[];
  /** PROBE_CA_FILE. */
  caFile?: string;
  timeoutMs: number;
  concurrency: number;
  /** PROBE_DENY entries (addresses and CIDR ranges). */
  deny: readonly string[];
  /** DNS; node:dns by default. */
  lookup?: Lookup;
  now?: () => Date;
}

export interface Prober {
  probe(endpoint: Endpoint, options?: ProbeOptions): Promise<ProbeObservation>;
  /**
   * Probes every endpoint, at most `concurrency` at once; answers in the order given. Each
   * probe is bounded by the timeout, so the pass is too. `onResult` hears each as it lands.
   */
  probeAll(
    endpoints: readonly Endpoint[],
    options?: ProbeOptions & { onResult?: (observation: ProbeObservation, done: number) => void },
  ): Promise<ProbeObservation[]>;
}

export function createProber(settings: ProberSettings): Prober {
  const context = {
    resolve: createAddressResolver({ rules: settings.resolve, lookup: settings.lookup }),
    secureContext: createSecureContext({ ca: trustStore(settings.caFile) }),
    timeoutMs: settings.timeoutMs,
    deny: createDenyList(settings.deny),
    now: settings.now,
  };
  const probe: Prober['probe'] = (endpoint, options) => probeEndpoint(endpoint, context, options);
  return {
    probe,
    async probeAll(endpoints, options = {}) {
      // p-map rather than the CAS client's Bottleneck: Bottleneck spends milliseconds per job
      // on its own scheduling (18 s for 5,000 empty jobs against 0.09 s here), which a pass
      // over thousands of endpoints would pay in full.
      let done = 0;
      return pMap(
        endpoints,
        async (endpoint) => {
          const observation = await probe(endpoint, options);
          options.onResult?.(observation, ++done);
          return observation;
        },
        { concurrency: settings.concurrency },
      );
    },
  };
}
