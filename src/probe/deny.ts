import { BlockList, isIP } from 'node:net';

/**
 * PROBE_DENY: the addresses a probe of a host someone named must not reach, so the bot cannot
 * be used to scan its own network or read the cloud metadata service, not even through a name
 * that resolves there. Addresses and CIDR ranges, IPv4 and IPv6; an IPv4-mapped IPv6 address
 * (::ffff:127.0.0.1) is checked as the IPv4 address it is.
 */

/**
 * Loopback, "this network" (0.0.0.0 reaches loopback on Linux), link-local (which holds
 * 169.254.169.254, the metadata address of most clouds) and Alibaba Cloud's metadata address.
 */
export const DEFAULT_PROBE_DENY = [
  '127.0.0.0/8',
  '::1/128',
  '0.0.0.0/8',
  '::/128',
  '169.254.0.0/16',
  'fe80::/10',
  '100.100.100.200',
  '169.254.169.254',
] as const;

/** The default without loopback: what tests and `cert-bot sandbox --wire` use to probe 127.0.0.1. */
export const DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK = DEFAULT_PROBE_DENY.filter(
  (entry) => entry !== '127.0.0.0/8' && entry !== '::1/128',
);

/** What is wrong with one entry (an address or a CIDR range), or undefined. */
export function denyEntryProblem(entry: string): string | undefined {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0)
    return `${JSON.stringify(entry)} is not an IP address or CIDR range, e.g. 10.0.0.0/8 or fd00::/8`;
  if (prefix === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max)
    return `${JSON.stringify(entry)} has a bad prefix length; use 0 to ${max}`;
  return undefined;
}

export interface DenyList {
  /** Whether a resolved address is one a named host may not be probed at. */
  denies(address: string): boolean;
  readonly entries: readonly string[];
}

export function createDenyList(entries: readonly string[]): DenyList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return {
    entries: [...entries],
    denies(address: string): boolean {
      const family = isIP(address);
      if (family === 0) return true; // not an address: never connect to it
      if (family === 4) return list.check(address, 'ipv4');
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
      if (mapped) return list.check(mapped[1] as string, 'ipv4');
      return list.check(address, 'ipv6');
    },
  };
}
