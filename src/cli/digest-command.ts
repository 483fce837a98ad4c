import type { Command } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '../config';
import { digestGroups } from '../domain/account-selection';
import type { Logger } from '../ops/logger';
import { formatNumber } from '../render/format';
import { renderForTerminal } from '../render/terminal';
import { createServices } from '../services';
import { sqliteStoreExists } from '../store/sqlite-store';
import { type Output, UsageError } from './output';
import { ACCOUNT_OPTION, type CliContext, cliLogger, withOutput } from './context';

export function registerDigestCommand(program: Command, context: CliContext): void {
  program
    .command('digest')
    .description("Build this period's certificate-risk digest: print it (--dry-run) or post it (--post)")
    .option('--dry-run', 'print the digest in the terminal; post and record nothing')
    .option('--post', 'post it now to DIGEST_CHANNEL through the ledger')
    .option('--force', 'with --post: post again even if this period was already posted')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'the Block Kit message (--dry-run) or the outcomes (--post) as JSON')
    .option('--chart <file>', "with --dry-run: write the digest's trend chart (PNG) to this file")
    .action(async (options: DigestCommandOptions) => {
      await withOutput(context, Boolean(options.json), async (output) => {
        const config = loadConfig(context.env);
        context.exitCode = await digestCommand(config, options, output, cliLogger(config, context), context.now);
      });
    });
}

export interface DigestCommandOptions {
  dryRun?: boolean;
  post?: boolean;
  force?: boolean;
  json?: boolean;
  /** With --dry-run: the digest of this account only. */
  account?: string;
  /** With --dry-run: write the trend chart (PNG) to this file. */
  chart?: string;
}

/**
 * `cert-bot digest --dry-run` builds this period's digest and prints it, posting nothing and
 * recording nothing; `--post` runs it through the claims exactly as the scheduler does.
 */
export async function digestCommand(
  config: Config,
  options: DigestCommandOptions,
  output: Output,
  logger: Logger,
  now: () => Date,
): Promise<number> {
  if (Boolean(options.dryRun) === Boolean(options.post))
    throw new UsageError('give exactly one of --dry-run or --post');
  if (options.force && !options.post) throw new UsageError('--force only applies to --post');
  if (options.chart !== undefined && !options.dryRun)
    throw new UsageError('--chart applies to --dry-run; --post uploads the chart to the digest thread');
  if (options.chart !== undefined && options.account !== undefined)
    throw new UsageError('--chart shows every account together; leave out --account');
  if (options.chart === '') throw new UsageError('--chart needs a file name, e.g. --chart trend.png');
  // A post of one account's digest would take the period's claim of a channel that gets several.
  if (options.account !== undefined && options.post)
    throw new UsageError(
      "--account applies to --dry-run; --post posts each account's digest to its channels (digestChannels, else DIGEST_CHANNEL)",
    );
  if (options.post && digestGroups(config.DIGEST_CHANNEL, config.accounts).length === 0)
    throw new UsageError("DIGEST_CHANNEL is not set (nor any account's digestChannels): no channel to post to");
  if (options.post && !config.SLACK_BOT_TOKEN) throw new UsageError('SLACK_BOT_TOKEN is not set: cannot post to Slack');
  // A dry run records nothing, so it creates no store either: without one it reads an empty,
  // temporary one (no earlier digests, so no trend) and removes it afterwards.
  const scratch =
    options.dryRun && !config.DATABASE_URL && !sqliteStoreExists(config.DATA_DIR)
      ? fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-dry-run-'))
      : undefined;
  const services = createServices(scratch ? { ...config, DATA_DIR: scratch } : config, { logger, now });
  try {
    const digest = await services.digest();
    if (options.dryRun && options.chart !== undefined) {
      const { message, chart, noChart } = await digest.previewWithChart();
      output.out(
        options.json ? JSON.stringify(message, null, 2) : renderForTerminal(message, { color: process.stdout.isTTY }),
      );
      // With --json stdout is the message alone; where the chart went goes to stderr.
      const say = (text: string) => (options.json ? output.err(text) : output.out(text));
      if (!chart) {
        say(`no chart: ${noChart ?? 'trend from next week'}`);
        return 0;
      }
      const file = path.resolve(options.chart);
      await fs.promises.writeFile(file, chart);
      say(`chart written to ${file} (${formatNumber(chart.length)} bytes, PNG)`);
      return 0;
    }
    if (options.dryRun) {
      const account = options.account === undefined ? undefined : services.selectAccounts(options.account)[0].name;
      const message = await digest.preview(account);
      output.out(
        options.json ? JSON.stringify(message, null, 2) : renderForTerminal(message, { color: process.stdout.isTTY }),
      );
      return 0;
    }
    const period = digest.periodAt();
    const outcomes = await digest.run(period, { force: options.force });
    if (options.json) output.out(JSON.stringify({ period: period.key, outcomes }, null, 2));
    else
      for (const o of outcomes)
        output.out(
          `${o.channel}: ${o.status}${o.messageTs ? ` (ts ${o.messageTs})` : ''}${
            o.status === 'skipped' ? ' — already posted for this period; --force posts again' : ''
          }${o.error ? ` — ${o.error}` : ''}`,
        );
    return outcomes.some((o) => o.status === 'failed' || o.status === 'released') ? 1 : 0;
  } finally {
    await services.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}
