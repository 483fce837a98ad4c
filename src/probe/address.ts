import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { type Endpoint, matchResolveRule, type ResolveRule } from '../domain/endpoints';

/** Where a probe connects: PROBE_RESOLVE's rule for the endpoint, else DNS. */

export interface ResolvedAddress {
  address: string;
  port: number;
  family: 4 | 6;
  /** Where the address came from. */
  via: 'resolve' | 'dns';
}

/** DNS as node:dns answers it; tests pass their own. */
export type Lookup = (host: string) => Promise<{ address: string; family: number }>;

export type AddressResolver = (endpoint: Endpoint) => Promise<ResolvedAddress>;

export function createAddressResolver(
  options: { rules?: readonly ResolveRule[]; lookup?: Lookup } = {},
): AddressResolver {
  const rules = options.rules ?? [];
  const lookup = options.lookup ?? ((host: string) => dns.lookup(host));
  return async (endpoint) => {
    const rule = matchResolveRule(rules, endpoint);
    if (rule) {
      return {
        address: rule.address,
        port: rule.addressPort ?? endpoint.port,
        family: isIP(rule.address) === 6 ? 6 : 4,
        via: 'resolve',
      };
    }
    const found = await lookup(endpoint.host);
    return { address: found.address, port: endpoint.port, family: found.family === 6 ? 6 : 4, via: 'dns' };
  };
}
