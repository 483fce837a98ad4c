import type { Config } from '../config';
import type { Lookup } from '../probe/address';
import { createProber, type Prober } from '../probe/prober';

/** The prober of the configuration's PROBE_* settings. */
export function proberFromConfig(config: Config, overrides: { lookup?: Lookup; now?: () => Date } = {}): Prober {
  return createProber({
    resolve: config.PROBE_RESOLVE,
    caFile: config.PROBE_CA_FILE,
    timeoutMs: config.PROBE_TIMEOUT_MS,
    concurrency: config.PROBE_CONCURRENCY,
    deny: config.PROBE_DENY,
    ...overrides,
  });
}
