import type { AssetCount, CasApi } from '../../cas/types';
import { AT_RISK_STATES, mostUrgentFirst } from '../../domain/certificate-state';
import { withinTime } from '../../accounts/fan-out';
import { accountFailure } from '../../accounts/account-failure';
import type { InventoryReader } from '../../inventory/inventory-reader';
import type { ListedCertificate } from '../../inventory/certificate-source';
import { sumCounts } from '../../domain/certificate-counts';
import { countVerdicts } from '../../domain/probe-verdict';
import type { AlertStore, ProbeResultStore, SnapshotStore, Store, StoredAlertState } from '../../store/types';
import {
  HOME_URGENT_SIZE,
  type HomeAccountScore,
  type HomeInput,
  type HomeItem,
  type HomeView,
  renderHomeView,
} from '../blocks/home';

/** Snapshots a health-score trend covers. */
export const TREND_SNAPSHOTS = 12;

/** What App Home is built from: no CAS listing, only GetAssetCount (cached by the client). */
export interface HomeDataDeps {
  accounts: ReadonlyArray<{ name: string; assetCount(): Promise<Pick<AssetCount, 'Point'>> }>;
  /** The stored inventory: its status, counts, and the few certificates Home shows. */
  inventory: Pick<InventoryReader, 'status' | 'select' | 'counts'>;
  alerts: Pick<AlertStore, 'states'>;
  snapshots: Pick<SnapshotStore, 'accountHistory' | 'history'>;
  /** What endpoints served at the last probe pass, when they are probed (PROBE_INTERVAL_MINUTES > 0). */
  probes?: { results: Pick<ProbeResultStore, 'list'>; enabled: boolean };
  now: () => Date;
  /** ACCOUNT_ANSWER_TIMEOUT_MS: with several accounts, how long Home waits for any one's score. */
  accountTimeoutMs?: number;
}

const keyOf = (account: string, id: string) => `${account}/${id}`;

async function trend(deps: HomeDataDeps, account: string): Promise<number[]> {
  let history = await deps.snapshots.accountHistory(account, TREND_SNAPSHOTS);
  // A single-account bot kept its digests' numbers in the all-accounts history before accounts had their own.
  if (history.length === 0 && deps.accounts.length === 1) history = await deps.snapshots.history(TREND_SNAPSHOTS);
  return history.map((s) => s.point).filter((p): p is number => typeof p === 'number' && Number.isFinite(p));
}

async function accountScore(deps: HomeDataDeps, account: HomeDataDeps['accounts'][number]): Promise<HomeAccountScore> {
  const timeoutMs = deps.accounts.length > 1 ? (deps.accountTimeoutMs ?? Infinity) : Infinity;
  const [assets, points] = await Promise.all([
    withinTime(account.name, () => account.assetCount(), timeoutMs).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    trend(deps, account.name),
  ]);
  if ('error' in assets)
    return { account: account.name, trend: points, failure: accountFailure(account.name, assets.error) };
  const point = assets.value.Point;
  return {
    account: account.name,
    trend: points,
    ...(typeof point === 'number' && Number.isFinite(point) ? { point } : {}),
  };
}

/** Everything one user's App Home shows, gathered from the store, the inventory and GetAssetCount. */
export async function collectHome(deps: HomeDataDeps, userId: string): Promise<HomeInput> {
  const now = deps.now();
  const [status, states, accounts, verdicts, counts] = await Promise.all([
    deps.inventory.status(now),
    deps.alerts.states(),
    Promise.all(deps.accounts.map((account) => accountScore(deps, account))),
    deps.probes?.enabled ? deps.probes.results.list() : Promise.resolve([]),
    deps.inventory.counts(undefined, now),
  ]);
  const stateOf = new Map(states.map((s) => [keyOf(s.account, s.certificateId), s]));
  const item = (certificate: ListedCertificate): HomeItem => ({
    certificate,
    state: stateOf.get(keyOf(certificate.account, certificate.id)),
  });

  // The user's own lists: certificates still present and at risk (a renewal that is deployed settles them).
  const mine = async (pick: (s: StoredAlertState) => boolean): Promise<HomeItem[]> => {
    const picked = states.filter(pick);
    if (!status || picked.length === 0) return [];
    const keys = picked.map((s) => ({ account: s.account, id: s.certificateId }));
    const { certificates } = await deps.inventory.select({ keys, states: AT_RISK_STATES }, now);
    const byKey = new Map(certificates.map((c) => [keyOf(c.account, c.id), c]));
    // In the order of the alert store, then most urgent first (stable), as the list always was.
    const items = picked.flatMap((s) => byKey.get(keyOf(s.account, s.certificateId)) ?? []);
    return mostUrgentFirst(items, now).map(item);
  };
  const [acknowledged, snoozed] = await Promise.all([
    mine((s) => s.acknowledgedBy === userId),
    mine(
      (s) =>
        s.snoozedBy === userId &&
        s.acknowledgedBy !== userId &&
        s.snoozedUntil !== undefined &&
        s.snoozedUntil.getTime() > now.getTime(),
    ),
  ]);
  // Every certificate at risk but the user's own: the first few, and how many in all.
  const listed = new Set([...acknowledged, ...snoozed].map((i) => keyOf(i.certificate.account, i.certificate.id)));
  const page = status
    ? await deps.inventory.select({ states: AT_RISK_STATES }, now, { limit: HOME_URGENT_SIZE + listed.size })
    : { certificates: [], total: 0 };
  const urgent = page.certificates
    .filter((c) => !listed.has(keyOf(c.account, c.id)))
    .slice(0, HOME_URGENT_SIZE)
    .map(item);
  const total = sumCounts(counts);

  return {
    userId,
    now,
    accounts,
    ...(status
      ? {
          inventory: {
            syncedAt: status.syncedAt,
            ...(status.lastFailure ? { lastFailure: status.lastFailure } : {}),
            counts: {
              ...total.states,
              deploymentsKnown:
                status.deployments.lastSuccess !== undefined || total.deployments.unknown < total.states.total,
            },
          },
        }
      : {}),
    urgent,
    urgentTotal: page.total - listed.size,
    acknowledged,
    snoozed,
    ...(verdicts.length > 0 ? { endpoints: countVerdicts(verdicts) } : {}),
  };
}

/** One user's App Home view. */
export async function buildHomeView(deps: HomeDataDeps, userId: string): Promise<HomeView> {
  return renderHomeView(await collectHome(deps, userId));
}

/** Home's parts as the wiring holds them: each account's client, the store, the stored inventory. */
export interface HomeParts {
  accounts: ReadonlyArray<{ name: string; cas(): Promise<Pick<CasApi, 'getAssetCount'>> }>;
  inventory: HomeDataDeps['inventory'];
  store(): Promise<Pick<Store, 'alerts' | 'snapshots' | 'probes'>>;
  /** PROBE_INTERVAL_MINUTES > 0: Home counts what endpoints served at the last probe pass. */
  probing: boolean;
  now: () => Date;
  accountTimeoutMs?: number;
}

/** One user's App Home from the wiring's parts: GetAssetCount is asked of each account's client (cached there). */
export async function homeViewOf(parts: HomeParts, userId: string): Promise<HomeView> {
  const s = await parts.store();
  return buildHomeView(
    {
      accounts: parts.accounts.map((a) => ({ name: a.name, assetCount: async () => (await a.cas()).getAssetCount() })),
      inventory: parts.inventory,
      alerts: s.alerts,
      snapshots: s.snapshots,
      probes: { results: s.probes, enabled: parts.probing },
      now: parts.now,
      accountTimeoutMs: parts.accountTimeoutMs,
    },
    userId,
  );
}
