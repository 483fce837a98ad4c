/**
 * Which endpoints a probing pass checks, from the inventory and PROBE_TARGETS. Pure.
 *
 * - PROBE_TARGETS first, as configured (endpoints outside Alibaba Cloud);
 * - every domain of a resource ListCloudResources lists (CDN, WAF, OSS... domains) at its
 *   listener port or 443, and for a load balancer listener (which has no domain) every name of
 *   its certificate at the listener's port: where CAS says the certificate is deployed;
 * - every name of a valid or recently expired certificate, at 443.
 * Wildcard names are left out (there is no host to ask); names are lowercase; each endpoint once,
 * with every reason it is a target. Deployed ones come before the rest, soonest-ending
 * certificates first, so a cut at PROBE_MAX_TARGETS keeps what matters most.
 */
import { type Certificate, certificateNames } from './certificate';
import { DEFAULT_TLS_PORT, type Endpoint, endpointKey, hostNameProblem } from './endpoints';
import { daysLeft } from './expiry';

/** How long after its end a certificate's names are still probed: it may well still be served. */
export const RECENTLY_EXPIRED_DAYS = 30;

/** Why an endpoint is probed. */
export type TargetOrigin = 'configured' | 'resource' | 'certificate' | 'command';

/** A resource as ListCloudResources gives it (the store's DeployedResource fits). */
export interface TargetResource {
  domain?: string;
  listenerPort?: string | number;
  /** HTTPS switched off on a CDN domain: the certificate is bound but not served. */
  https?: boolean;
}

export type TargetCertificate = Certificate & {
  removedAt?: Date;
  deployment?: { resources: readonly TargetResource[] };
};

export interface ProbeTarget extends Endpoint {
  origins: TargetOrigin[];
  /** The certificates that made it a target (account and id), none for a configured one. */
  certificates: Array<{ account: string; id: string }>;
}

export interface ProbeTargetList {
  targets: ProbeTarget[];
  /** Distinct endpoints found before the cut. */
  total: number;
  /** Left out by `maxTargets` (0 when none was). */
  cut: number;
}

function portOf(value: string | number | undefined): number {
  const port = typeof value === 'number' ? value : value === undefined || value === '' ? NaN : Number(value);
  return Number.isInteger(port) && port >= 1 && port <= 65_535 ? port : DEFAULT_TLS_PORT;
}

const probeable = (name: string) => !name.startsWith('*.') && hostNameProblem(name) === undefined;

/** Soonest-ending first; unknown end dates last. */
function byEnd(a: TargetCertificate, b: TargetCertificate, now: Date): number {
  const da = daysLeft(a.endDate, now) ?? Number.POSITIVE_INFINITY;
  const db = daysLeft(b.endDate, now) ?? Number.POSITIVE_INFINITY;
  return da === db ? 0 : da < db ? -1 : 1;
}

export function buildProbeTargets(input: {
  certificates: readonly TargetCertificate[];
  /** PROBE_TARGETS. */
  configured?: readonly Endpoint[];
  /** PROBE_MAX_TARGETS. */
  maxTargets: number;
  now: Date;
  recentlyExpiredDays?: number;
}): ProbeTargetList {
  const { now } = input;
  const found = new Map<string, ProbeTarget>();
  const add = (host: string, port: number, origin: TargetOrigin, certificate?: TargetCertificate) => {
    const name = host.toLowerCase().replace(/\.$/, '');
    if (!probeable(name)) return;
    const key = endpointKey({ host: name, port });
    let target = found.get(key);
    if (!target) {
      target = { host: name, port, origins: [], certificates: [] };
      found.set(key, target);
    }
    if (!target.origins.includes(origin)) target.origins.push(origin);
    if (certificate && !target.certificates.some((c) => c.account === certificate.account && c.id === certificate.id))
      target.certificates.push({ account: certificate.account, id: certificate.id });
  };

  for (const endpoint of input.configured ?? []) add(endpoint.host, endpoint.port, 'configured');

  const present = input.certificates
    .filter((c) => !(c.removedAt && c.removedAt.getTime() <= now.getTime()))
    .sort((a, b) => byEnd(a, b, now));
  for (const certificate of present)
    for (const resource of certificate.deployment?.resources ?? []) {
      if (resource.https === false) continue;
      const port = portOf(resource.listenerPort);
      if (resource.domain) add(resource.domain, port, 'resource', certificate);
      else if (resource.listenerPort !== undefined && resource.listenerPort !== '')
        for (const name of certificateNames(certificate)) add(name, port, 'resource', certificate);
    }

  const recent = -(input.recentlyExpiredDays ?? RECENTLY_EXPIRED_DAYS);
  for (const certificate of present) {
    if (certificate.status?.toUpperCase() === 'REVOKED') continue;
    const days = daysLeft(certificate.endDate, now);
    if (days === undefined ? certificate.expired : days < recent) continue;
    for (const name of certificateNames(certificate)) add(name, DEFAULT_TLS_PORT, 'certificate', certificate);
  }

  const all = [...found.values()];
  const max = Math.max(0, input.maxTargets);
  return { targets: all.slice(0, max), total: all.length, cut: Math.max(0, all.length - max) };
}
