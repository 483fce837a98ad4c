import type { DigestSnapshot } from '../store/types';
import { type DigestData, snapshotOf } from './collect';
import type { DigestDeps } from './run';

/** Digests the trend chart shows: the last twelve weeks, this one included. */
export const DIGEST_CHART_WEEKS = 12;

/**
 * Why a digest has no trend chart, or undefined when it has one: the chart shows every account
 * together, so a digest of some accounts, or one where an account could not be read (its week
 * is not kept), has none. The run and the preview both ask this.
 */
export function noChartReason(deps: Pick<DigestDeps, 'trend'>, data: Pick<DigestData, 'failures'>): string | undefined {
  if (deps.trend === false) return 'not a digest of every account';
  if (data.failures?.length) return 'an account could not be read';
  return undefined;
}

/** The chart's points: the last DIGEST_CHART_WEEKS digests with this period's numbers last. */
export async function chartPoints(deps: Pick<DigestDeps, 'snapshots'>, data: DigestData): Promise<DigestSnapshot[]> {
  const history = (await deps.snapshots.history(DIGEST_CHART_WEEKS)).filter((h) => h.period !== data.period.key);
  return [...history, snapshotOf(data)].slice(-DIGEST_CHART_WEEKS);
}
