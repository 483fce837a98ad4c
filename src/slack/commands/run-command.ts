import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { renderCasError } from '../blocks/errors';
import type { SlackMessage } from '../blocks/types';
import type { SlackDeps } from '../deps';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * The shape every slash command shares: ack at once (Slack's 3-second deadline), then build
 * the answer and send it through response_url. A failure becomes a short message, never a
 * stack trace, and the app keeps serving.
 */
export function commandHandler(
  deps: SlackDeps,
  name: string,
  whatFails: string,
  build: (args: CommandArgs) => Promise<(SlackMessage & { response_type?: 'in_channel' | 'ephemeral' }) | undefined>,
) {
  return async (args: CommandArgs): Promise<void> => {
    const started = performance.now();
    await args.ack();
    deps.observe?.commandAcked?.(name, performance.now() - started);
    const log = deps.logger.child({ command: name, user: args.command.user_id, team: args.command.team_id });
    const answer = async () => {
      let outcome: 'ok' | 'error' = 'ok';
      try {
        await deps.answerGate?.turn();
        const message = await build(args);
        await deps.answerGate?.turn();
        if (message) await args.respond(message);
      } catch (error) {
        outcome = 'error';
        log.warn({ err: describeError(error) }, `${name} failed`);
        await safeRespond(args.respond, { ...renderCasError(error, whatFails), response_type: 'ephemeral' }, log);
      } finally {
        deps.observe?.commandAnswered?.(name, performance.now() - started, outcome);
      }
    };
    await tracked(deps, answer);
  };
}

/** Runs work that answers a user so that a shutdown waits for it. */
export function tracked<T>(deps: SlackDeps, work: () => Promise<T>): Promise<T> {
  return deps.inflight ? deps.inflight.track(work()) : work();
}

export async function safeRespond(
  respond: RespondFn,
  message: Parameters<RespondFn>[0],
  log: SlackDeps['logger'],
): Promise<void> {
  try {
    await respond(message);
  } catch (error) {
    // response_url expired or Slack unreachable: nothing more can reach the user; log and go on.
    log.error({ err: describeError(error) }, 'could not answer through response_url');
  }
}

/** What we log of an error: its class and code, never its request details. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; code?: unknown; kind?: unknown; requestId?: unknown; message?: unknown };
    return {
      name: e.name,
      code: e.code,
      kind: e.kind,
      requestId: e.requestId,
      message: typeof e.message === 'string' ? e.message.slice(0, 300) : undefined,
    };
  }
  return { message: String(error) };
}
