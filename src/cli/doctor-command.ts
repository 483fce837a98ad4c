import type { Command } from 'commander';
import { type Config, ConfigError, loadConfig } from '../config';
import { silentLogger } from '../ops/logger';
import { createServices } from '../services';
import { checkCasAccount } from './doctor/cas-checks';
import { checkClock, type ClockSample, fetchDate } from './doctor/clock-check';
import { checkRedis } from './doctor/redis-check';
import { type CheckResult, CHECK_TIMEOUT_MS, fail, formatLine, pass, scrubber, secretsOf } from './doctor/report';
import { checkSlack } from './doctor/slack-checks';
import { checkStore, describeStore } from './doctor/store-check';
import type { Output } from './output';
import { type CliContext, withOutput } from './context';

export function registerDoctorCommand(program: Command, context: CliContext): void {
  program
    .command('doctor')
    .description(
      'Check the configuration and every dependency (store, Redis, CAS and its RAM permissions, clock, Slack, channels), one line each',
    )
    .option('--json', 'the checks as a JSON array of {check, ok, detail, fix}')
    .action(async (options: { json?: boolean }) => {
      await withOutput(context, Boolean(options.json), async (output) => {
        context.exitCode = await doctorCommand(context.env, { json: options.json }, output, context.now);
      });
    });
}

export interface DoctorOptions {
  json?: boolean;
}

/**
 * `cert-bot doctor`: the configuration, then every dependency in the order the bot needs
 * them (store, Redis, each CAS account and its permissions, the clock, the Slack token and its
 * scopes, the channels), one line each as it finishes. Reads only: nothing is posted and no
 * CAS write is made. Exit 0 when every check passes, 1 when one fails, 2 when the
 * configuration itself is invalid (then nothing else can be checked).
 */
export async function doctorCommand(
  env: Record<string, string | undefined>,
  options: DoctorOptions,
  output: Output,
  now: () => Date,
): Promise<number> {
  const results: CheckResult[] = [];
  let scrub = scrubber(secretsOf(env));
  const emit = (result: CheckResult) => {
    const clean: CheckResult = {
      ...result,
      detail: scrub(result.detail),
      fix: result.fix === null ? null : scrub(result.fix),
    };
    results.push(clean);
    if (!options.json) output.out(formatLine(clean));
  };
  const finish = (code: number) => {
    if (options.json) output.out(JSON.stringify(results, null, 2));
    return code;
  };

  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) emit(configProblem(problem));
    return finish(2);
  }
  // Secrets an accounts file read from variables of any name are scrubbed too.
  scrub = scrubber([
    ...secretsOf(env),
    ...config.accounts.flatMap((a) =>
      a.credentials.kind === 'keys' ? [a.credentials.accessKeySecret, a.credentials.securityToken] : [],
    ),
  ]);
  const names = config.accounts.map((a) => a.name);
  emit(
    pass(
      'configuration',
      `valid (${names.length === 1 ? 'account' : `${names.length} accounts:`} ${names.join(', ')}; store ${describeStore(config).split(' ')[0]})`,
    ),
  );

  // Calls fail fast (one retry, short timeout), and CAS is checked on its own: the shared
  // limiter's Redis has its own line and does not stand between doctor and CAS.
  const services = createServices(
    {
      ...config,
      REDIS_URL: undefined,
      CAS_TIMEOUT_MS: Math.min(config.CAS_TIMEOUT_MS, CHECK_TIMEOUT_MS - 500),
      CAS_MAX_ATTEMPTS: Math.min(config.CAS_MAX_ATTEMPTS, 2),
    },
    { logger: silentLogger(), now, retryBaseDelayMs: 100 },
  );
  try {
    // Loaded here: the PostgreSQL client it brings is not part of every command's start-up.
    emit(await checkStore(config, async () => (await import('../store/inspect')).inspectStore(config)));
    emit(await checkRedis(config.REDIS_URL));
    let sample: ClockSample | undefined;
    for (const account of services.accounts) {
      const endpointVariable = config.CAS_ACCOUNTS_FILE
        ? `the site of account ${account.name} in CAS_ACCOUNTS_FILE`
        : 'CAS_ENDPOINT';
      const answered = await checkCasAccount(account, emit, {
        now,
        endpointVariable,
        deployment: config.DEPLOY_ENABLED ? { contactIds: config.DEPLOY_CONTACT_IDS } : undefined,
      });
      sample ??= answered;
    }
    sample ??= await slackDateSample(config, now);
    emit(checkClock(sample));
    await checkSlack(config, env, emit);
  } finally {
    await services.stop();
  }
  return finish(results.some((r) => !r.ok) ? 1 : 0);
}

/** `CAS_QPS: "fast" is not a whole number; …` as a line of its own, named by its variable. */
function configProblem(problem: string): CheckResult {
  const match = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(problem);
  if (!match) return fail('configuration', problem, 'correct it in the environment (or .env)');
  const [, name, what] = match;
  const fix = /^required/.test(what)
    ? `set ${name} in the environment (or .env)`
    : `correct ${name} in the environment (or .env)`;
  return fail(name, what, fix);
}

/** With no CAS answer to read the time from, Slack's Date header will do. */
async function slackDateSample(config: Config, now: () => Date): Promise<ClockSample | undefined> {
  const apiUrl = config.SLACK_API_URL ?? 'https://slack.com/api/';
  try {
    const answer = await fetchDate(new URL('api.test', apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`).toString(), now);
    return answer.server ? { source: `Slack at ${apiUrl}`, server: answer.server, local: answer.local } : undefined;
  } catch {
    return undefined;
  }
}
