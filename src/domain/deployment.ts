/**
 * Deployment state: where a certificate is served, and the risk no other tool shows, a renewed
 * certificate whose old one is still serving. Pure.
 */

/** A resource as the rules need it (see store DeployedResource). */
export interface ServingResource {
  id: string;
  certificateId?: string;
  cloud?: string;
  product?: string;
  region?: string;
  instanceId?: string;
  listenerPort?: string;
  domain?: string;
}

/**
 * - `stale`: renewed (replaced) and still served by at least one resource: the new certificate
 *   exists but the old one is serving, and it fails on the old end date. The most urgent state.
 * - `deployed`: served by at least one resource.
 * - `not-deployed`: served by none (expiring, it is a cleanup item, not an outage).
 * - `unknown`: where certificates are deployed has never been listed.
 */
export type DeploymentState = 'stale' | 'deployed' | 'not-deployed' | 'unknown';

export function deploymentState(input: { replaced: boolean; servedBy: number; known: boolean }): DeploymentState {
  if (!input.known) return 'unknown';
  if (input.servedBy === 0) return 'not-deployed';
  return input.replaced ? 'stale' : 'deployed';
}

/** Resources by the certificate they serve. */
export function resourcesByCertificate<R extends ServingResource>(resources: readonly R[]): Map<string, R[]> {
  const map = new Map<string, R[]>();
  for (const resource of resources) {
    if (!resource.certificateId) continue;
    const list = map.get(resource.certificateId) ?? [];
    list.push(resource);
    map.set(resource.certificateId, list);
  }
  return map;
}

/** "SLB cn-hangzhou lb-1x2y:443", "CDN www.example.com": a resource in a few words. */
export function describeResource(resource: ServingResource): string {
  // CAS sends empty strings for what a product does not have (a load balancer has no domain).
  const where = resource.domain || resource.instanceId || resource.id;
  const port = resource.listenerPort ? `:${resource.listenerPort}` : '';
  return [resource.product ?? resource.cloud ?? 'resource', resource.region, `${where}${port}`]
    .filter(Boolean)
    .join(' ');
}

/** "on 3 resources", "on 1 resource", "not deployed", "deployment unknown". */
export function deploymentPhrase(state: DeploymentState, servedBy: number): string {
  if (state === 'unknown') return 'deployment unknown';
  if (state === 'not-deployed') return 'not deployed';
  return `on ${servedBy} resource${servedBy === 1 ? '' : 's'}`;
}
