import type { Config } from '../config';
import type { ProbeEndpoints } from '../deploy/probe-after';
import type { Endpoint } from '../domain/endpoints';
import type { EndpointVerdict } from '../domain/probe-verdict';
import type { CertificateSource } from '../inventory/certificate-source';
import type { InventorySnapshot } from '../inventory/stored-source';
import { checkEndpoints } from '../probe/check';
import { type ProbePassResult, runProbePass } from '../probe/probe-pass';
import type { Store } from '../store/types';
import { once } from './once';
import { proberFromConfig } from './prober';

export interface ProbingInput {
  config: Config;
  now: () => Date;
  /** Every account's certificates, which a served certificate is looked up in. */
  certificates(): Promise<CertificateSource>;
  /** The stored inventory, whose deployments name the endpoints a pass probes. */
  snapshot(): Promise<InventorySnapshot | undefined>;
  store(): Promise<Store>;
}

export interface Probing {
  /** One endpoint now, for /cert-probe (PROBE_DENY applies: the name comes from a person). */
  probeEndpoint(endpoint: Endpoint): Promise<EndpointVerdict>;
  /** The scheduled pass, stored for /cert-info and the metrics; undefined before the first sync. */
  probePass(): Promise<ProbePassResult | undefined>;
  /** The endpoints of a finished deployment's resources, when endpoints are probed (PROBE_INTERVAL_MINUTES > 0). */
  afterDeployment?: ProbeEndpoints;
}

/** What endpoints really serve: one prober (one trust store read, one concurrency bound) for every use. */
export function buildProbing(input: ProbingInput): Probing {
  const { config, now } = input;
  const prober = once(async () => proberFromConfig(config, { now }));
  const listed = async () => (await (await input.certificates()).list('all', undefined, now())).certificates;
  return {
    async probeEndpoint(endpoint) {
      const { verdicts } = await checkEndpoints({
        endpoints: [endpoint],
        prober: await prober(),
        certificates: await listed(),
        now,
        checkDeny: true,
      });
      return verdicts[0] as EndpointVerdict;
    },
    async probePass() {
      const [snapshot, s] = await Promise.all([input.snapshot(), input.store()]);
      if (!snapshot) return undefined;
      return runProbePass({
        certificates: snapshot.certificates,
        results: s.probes,
        prober: await prober(),
        configured: config.PROBE_TARGETS,
        maxTargets: config.PROBE_MAX_TARGETS,
        failuresBeforeAlert: config.PROBE_FAILURES_BEFORE_ALERT,
        now,
      });
    },
    afterDeployment:
      config.PROBE_INTERVAL_MINUTES > 0
        ? async (endpoints) => {
            const { probeAndRecord } = await import('../deploy/probe-after');
            const [certificates, s] = await Promise.all([listed(), input.store()]);
            return probeAndRecord({
              endpoints,
              prober: await prober(),
              certificates,
              results: s.probes,
              failuresBeforeAlert: config.PROBE_FAILURES_BEFORE_ALERT,
              now,
            });
          }
        : undefined,
  };
}
