import type { CasClient } from '../cas';
import type { Store } from '../store/types';
import type { CertificateSource } from './certificate-source';
import { liveCertificateSource } from './live-source';
import { type AccountSource, mergedCertificateSource, type MergedSource } from './merged-source';
import { storedCertificateSource } from './stored-source';

/**
 * Where lists of certificates come from: each account's stored inventory (CAS, live, until its
 * first sync has finished, or when the inventory is older than a CLI asked for), merged over
 * the accounts asked about.
 */

export interface SourceAccount {
  name: string;
  cas(): Promise<CasClient>;
}

export interface CertificateSources {
  /** Every account's source over the stored inventory (live when it is older than `maxAgeMs`). */
  accountSources(maxAgeMs?: number): Promise<AccountSource[]>;
  /** The merged source of `names` (default all); an answer waits `timeoutMs` at most for any one account. */
  subset(all: readonly AccountSource[], names?: readonly string[], timeoutMs?: number): MergedSource;
  /** Lists for the CLI: the inventory when younger than `maxAgeMs`, else CAS; `live` always CAS. */
  listSource(options: { live?: boolean; maxAgeMs?: number; accounts?: readonly string[] }): Promise<CertificateSource>;
}

export function createCertificateSources(input: {
  store(): Promise<Store>;
  accounts: readonly SourceAccount[];
  /** Whether a store exists to read: without one the CLI lists live rather than create an empty store. */
  storeExists(): boolean;
}): CertificateSources {
  const live = (client: CasClient, account: string, reason: 'never-synced' | 'stale' | 'asked') =>
    liveCertificateSource(client, { account, reason });
  const accountSources = async (maxAgeMs?: number): Promise<AccountSource[]> => {
    const s = await input.store();
    return Promise.all(
      input.accounts.map(async (account) => {
        const client = await account.cas();
        return {
          account: account.name,
          source: storedCertificateSource({
            inventory: s.inventory,
            fallback: (reason) => live(client, account.name, reason),
            maxAgeMs,
            alertStates: () => s.alerts.states(),
            resources: s.resources,
            certificates: s.certificates,
            account: account.name,
          }),
        };
      }),
    );
  };
  const subset: CertificateSources['subset'] = (all, names, timeoutMs) =>
    mergedCertificateSource(names === undefined ? all : all.filter((a) => names.includes(a.account)), { timeoutMs });
  return {
    accountSources,
    subset,
    async listSource({ live: asked, maxAgeMs, accounts: names }) {
      const chosen = names === undefined ? input.accounts : input.accounts.filter((a) => names.includes(a.name));
      const liveOf = async (reason: 'asked' | 'never-synced') =>
        mergedCertificateSource(
          await Promise.all(
            chosen.map(async (a) => {
              const source = live(await a.cas(), a.name, reason);
              return { account: a.name, source: { ...source, snapshot: async () => undefined } };
            }),
          ),
        );
      if (asked) return liveOf('asked');
      if (!input.storeExists()) return liveOf('never-synced');
      return subset(await accountSources(maxAgeMs), names);
    },
  };
}
