/**
 * Finding certificates by the cloud resources that serve them: "which certificate is on this
 * load balancer?". Pure.
 *
 * A resource is known by its instance ID (`lb-bp1…`, `alb-…`), its listener ID, and the domain
 * it serves (CDN, WAF, OSS). CAS's own row ID (digits) is not used: a number is a certificate ID.
 */
import type { Certificate } from './certificate';
import type { ServingResource } from './deployment';
import { matchesKeyword } from './views';

export type MatchableResource = Pick<ServingResource, 'instanceId' | 'listenerPort' | 'domain'> & {
  listenerId?: string;
};

/** The names a person may know a resource by, lowercased. */
function resourceNames(resource: MatchableResource): string[] {
  return [resource.instanceId, resource.listenerId, resource.domain]
    .filter((name): name is string => typeof name === 'string' && name !== '')
    .map((name) => name.toLowerCase());
}

/** A list keyword: a case-insensitive part of the resource's instance ID, listener ID or domain. */
export function resourceMatchesKeyword(resource: MatchableResource, keyword: string): boolean {
  const needle = keyword.trim().toLowerCase();
  return needle !== '' && resourceNames(resource).some((name) => name.includes(needle));
}

/**
 * The list keyword (`/cert-list … keyword`, `cert-bot list --keyword`): what CAS's Keyword
 * matches (CommonName, a SAN, the instance ID), or any resource the certificate is deployed on.
 */
export function certificateMatchesKeyword(
  certificate: Certificate & { deployment?: { resources: readonly MatchableResource[] } },
  keyword: string | undefined,
): boolean {
  if (!keyword) return true;
  return (
    matchesKeyword(certificate, keyword) ||
    (certificate.deployment?.resources ?? []).some((r) => resourceMatchesKeyword(r, keyword))
  );
}

/**
 * A resource asked for by name (`/cert-info lb-bp1…`): exactly its instance ID or listener ID,
 * any case, optionally with its listener port (`lb-bp1…:443`, as the bot describes resources).
 */
export function resourceMatchesQuery(resource: MatchableResource, query: string): boolean {
  const text = query.trim().toLowerCase();
  if (text === '') return false;
  const ids = [resource.instanceId, resource.listenerId]
    .filter((id): id is string => typeof id === 'string' && id !== '')
    .map((id) => id.toLowerCase());
  if (ids.includes(text)) return true;
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return false;
  const [name, port] = [text.slice(0, colon), text.slice(colon + 1)];
  return /^\d+$/.test(port) && port === resource.listenerPort && ids.includes(name);
}

/** The certificates a resource asked for by name serves, in the order given. */
export function certificatesOnResource<
  C extends Certificate & { deployment?: { resources: readonly MatchableResource[] } },
>(certificates: readonly C[], query: string): C[] {
  return certificates.filter((c) => (c.deployment?.resources ?? []).some((r) => resourceMatchesQuery(r, query)));
}
