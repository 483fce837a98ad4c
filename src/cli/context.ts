import { type AccountFailure, describeAccountFailure } from '../accounts/account-failure';
import { InvalidArgumentError } from 'commander';
import { type Config, loadConfig } from '../config';
import { loggerForConfig } from '../ops/logger';
import { createServices, type Services } from '../services';
import { consoleOutput, type Output, reportFailure } from './output';
import { parseFailOnList } from './list-view';

/** What every command's handler gets from the program: the environment, the clock, the exit code. */
export interface CliContext {
  env: Record<string, string | undefined>;
  now: () => Date;
  /** Set by a command that finished with a failure. */
  exitCode: number;
  /** `--verbose`: logs at LOG_LEVEL rather than warnings only. */
  verbose?: boolean;
}

export function intOption(name: string, min = 0) {
  return (value: string) => {
    const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be a whole number${min > 0 ? ` of at least ${min}` : ''}`);
    return n;
  };
}

/** `--fail-on`, repeatable and comma-separated: each value given adds to the ones before. */
export function failOnOption<T extends string>(allowed: readonly T[]) {
  return (value: string, previous: T[] | undefined) => {
    const parsed = parseFailOnList(value, allowed, previous ?? []);
    if (typeof parsed === 'string') throw new InvalidArgumentError(parsed);
    return parsed;
  };
}

/** pino's levels, most verbose first. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * A command's logger: warnings and errors only (or what a quieter LOG_LEVEL lets through), so
 * stderr carries what went wrong and nothing else; with --verbose, LOG_LEVEL (default info).
 */
export function cliLogger(config: Config, context: CliContext) {
  const configured = LOG_LEVELS.indexOf(config.LOG_LEVEL);
  const level = context.verbose || configured > LOG_LEVELS.indexOf('warn') ? config.LOG_LEVEL : 'warn';
  return loggerForConfig({ ...config, LOG_LEVEL: level as Config['LOG_LEVEL'] });
}

/** Runs one command that builds what it needs itself, reporting failures as one line. */
export async function withOutput(
  context: CliContext,
  json: boolean,
  run: (output: Output) => Promise<unknown>,
): Promise<void> {
  const output = consoleOutput(json);
  try {
    await run(output);
  } catch (error) {
    context.exitCode = reportFailure(output, error);
  }
}

/** Runs one command on the services built from the environment, reporting failures as one line. */
export async function withServices(
  context: CliContext,
  json: boolean,
  run: (services: Services, output: Output) => Promise<unknown>,
): Promise<void> {
  const output = consoleOutput(json);
  let services: Services | undefined;
  try {
    const config = loadConfig(context.env);
    services = createServices(config, { logger: cliLogger(config, context), now: context.now });
    await run(services, output);
  } catch (error) {
    context.exitCode = reportFailure(output, error);
  } finally {
    await services?.stop();
  }
}

export const ACCOUNT_OPTION = [
  '--account <name>',
  'only this account of CAS_ACCOUNTS_FILE (default: every account)',
] as const;

/** The accounts a command covers, with their clients; an unknown name is bad input (exit 2). */
export async function clientsOf(services: Services, name: string | undefined) {
  return Promise.all(services.selectAccounts(name).map(async (a) => ({ name: a.name, cas: await a.cas() })));
}

/** "error: could not read staging: …", or "error: tarn did not answer within 4 s". */
export function failureLine(verb: string, failure: AccountFailure): string {
  return `error: ${failure.slow ? '' : `could not ${verb} `}${describeAccountFailure(failure)}`;
}
