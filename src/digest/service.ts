import type { JobPeriod } from '../jobs/period';
import { periodAt } from '../jobs/period';
import { chartPoints, noChartReason } from './chart-rule';
import { collectDigest, type DigestData } from './collect';
import { type ChannelOutcome, type DigestDeps, type DigestMessage, runDigest } from './run';

/**
 * The weekly digest as one service: the run of each channel group, and the preview a person
 * asks for (`cert-bot digest --dry-run`, the demo), which follows the run's rules and records
 * nothing.
 */

export interface DigestService<M extends DigestMessage = DigestMessage> {
  deps: DigestDeps;
  /** The period that contains `at` (default now). */
  periodAt(at?: Date): JobPeriod;
  run(period: JobPeriod, options?: { force?: boolean; channels?: readonly string[] }): Promise<ChannelOutcome[]>;
  /** This period's digest (of every account, or of the one named) as it would be posted; records nothing. */
  preview(account?: string): Promise<M>;
  /** This period's digest of every account and its trend chart, or why there is none; records nothing. */
  previewWithChart(): Promise<{ message: M; chart?: Buffer; noChart?: string }>;
}

export interface DigestServiceInput<M extends DigestMessage> {
  /** The digest's message, as the run's renderer builds it, in the caller's own type. */
  renderDigest(data: DigestData): M;
  trigger: { cron: string; timezone: string };
  /** Every account's name, in order. */
  accounts: readonly string[];
  /** The channels and the accounts each group of channels reports on. */
  groups: ReadonlyArray<{ channels: readonly string[]; accounts: readonly string[] }>;
  /** The digest's parts for these accounts (one set per group, and one of every account). */
  depsFor(accounts: readonly string[]): Promise<DigestDeps>;
  retryForMs: number;
  retryBaseDelayMs?: number;
  leaseMs?: number;
  now: () => Date;
}

export async function createDigestService<M extends DigestMessage>(
  input: DigestServiceInput<M>,
): Promise<DigestService<M>> {
  const deps = await input.depsFor(input.accounts);
  const groupDeps = await Promise.all(input.groups.map((group) => input.depsFor(group.accounts)));
  const runOptions = (period: JobPeriod, channels: readonly string[], force?: boolean) => ({
    period,
    channels,
    force,
    retryForMs: input.retryForMs,
    retryBaseDelayMs: input.retryBaseDelayMs,
    leaseMs: input.leaseMs,
  });
  const currentPeriod = () => periodAt(input.trigger, input.now());
  return {
    deps,
    periodAt: (at) => periodAt(input.trigger, at ?? input.now()),
    async run(period, options = {}) {
      // Asked for given channels: one digest of every account there, as before accounts had channels.
      if (options.channels) return runDigest(deps, runOptions(period, options.channels, options.force));
      const outcomes: ChannelOutcome[] = [];
      for (const [index, group] of input.groups.entries())
        outcomes.push(...(await runDigest(groupDeps[index], runOptions(period, group.channels, options.force))));
      return outcomes;
    },
    async preview(account) {
      const of = account === undefined ? deps : await input.depsFor([account]);
      return input.renderDigest(await collectDigest(of, currentPeriod(), input.now()));
    },
    async previewWithChart() {
      const data = await collectDigest(deps, currentPeriod(), input.now());
      const message = input.renderDigest(data);
      const reason = noChartReason(deps, data);
      if (reason) return { message, noChart: reason };
      const chart = await deps.render.chart?.(await chartPoints(deps, data));
      return chart ? { message, chart } : { message, noChart: 'trend from next week' };
    },
  };
}
