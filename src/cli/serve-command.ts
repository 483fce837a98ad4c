import type { Command } from 'commander';
import { type Config, loadConfig } from '../config';
import { type Logger, loggerForConfig } from '../ops/logger';
import { createServices } from '../services';
import { StartupError } from '../wiring/startup-errors';
import { type CliContext, withOutput } from './context';

export function registerServeCommand(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('Run the Slack bot (HTTP mode, or Socket Mode when SLACK_APP_TOKEN is set) and the scheduled digest')
    .action(async () => {
      await withOutput(context, false, async () => {
        const config = loadConfig(context.env, ['slack']);
        await serveCommand(config, loggerForConfig(config));
      });
    });
}

/** How long a failed start-up waits for what it opened to close before it exits anyway. */
const CLOSE_AFTER_FAILURE_MS = 5_000;

/** `cert-bot serve`: the bot until SIGTERM or SIGINT, then an orderly stop. */
export async function serveCommand(config: Config, logger: Logger): Promise<void> {
  const services = createServices(config, { logger });
  try {
    await services.start();
  } catch (error) {
    // Close what was started (store, CAS clients, a listening receiver), but never wait on it
    // for long: a Redis or a database that is not there must not keep the process alive.
    await Promise.race([
      services.stop().catch(() => undefined),
      new Promise<void>((resolve) => setTimeout(resolve, CLOSE_AFTER_FAILURE_MS).unref()),
    ]);
    const { line, exitCode } = startupFailure(error);
    await flushed(logger);
    // One line, after the log lines, then out: a library timer or socket left behind must not
    // keep a process that could not start.
    process.stderr.write(`${line}\n`, () => process.exit(exitCode));
    return new Promise<void>(() => undefined);
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await services.stop();
  logger.info('stopped');
  // Everything the bot owns is closed; a library timer (Socket Mode's reconnect and ping
  // timers) must not keep the process past its termination grace period.
  await flushed(logger);
  process.exit(0);
}

/** The line a failed start-up prints and the exit status: a StartupError says both. */
function startupFailure(error: unknown): { line: string; exitCode: number } {
  if (error instanceof StartupError) return { line: error.message, exitCode: error.exitCode };
  const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return { line: `error: ${text}`, exitCode: 1 };
}

function flushed(logger: Logger): Promise<void> {
  return new Promise<void>((resolve) => logger.flush(() => resolve()));
}
