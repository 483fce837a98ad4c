import { describeError } from '../domain/error-description';
import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  RespondArguments,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
} from '@slack/bolt';
import type { Logger } from '../ops/logger';
import type { ButtonCodec } from './button-codecs';
import { section } from './blocks/builders';
import { renderCasError } from './blocks/errors';
import { answerModal } from './blocks/modal';
import { renderStaleButton } from './blocks/stale-button';
import type { KnownBlock, SlackMessage } from './blocks/types';
import type { SlackDeps } from './deps';

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
/** Sends an answer: Bolt's respond() (response_url), or a modal where there is none. */
type Responder = (message: RespondArguments) => Promise<unknown>;

/** What a listener answers: a message, where it goes, and (buttons) whether it replaces the one pressed. */
export type Answer = SlackMessage & {
  response_type?: 'in_channel' | 'ephemeral';
  replace_original?: boolean;
};

/**
 * The one path every listener takes: ack at once (Slack's 3-second deadline), then build the
 * answer when the answer gate allows and send it through response_url. A failure becomes a
 * short message, never a stack trace, and the app keeps serving; a shutdown waits for answers
 * in flight; acks and answers are timed for the metrics.
 */
async function listen(
  deps: SlackDeps,
  input: {
    name: string;
    whatFails: string;
    ack: () => Promise<void>;
    respond: Responder;
    log: Logger;
    /** How an error answer is sent: buttons leave the message they sit on in place. */
    errorPlacement: Pick<Answer, 'response_type' | 'replace_original'>;
    build: () => Promise<Answer | undefined>;
  },
): Promise<void> {
  const started = performance.now();
  await input.ack();
  deps.observe?.commandAcked?.(input.name, performance.now() - started);
  const answer = async () => {
    let outcome: 'ok' | 'error' = 'ok';
    try {
      await deps.answerGate?.turn();
      const message = await input.build();
      await deps.answerGate?.turn();
      if (message) await input.respond(message as RespondArguments);
    } catch (error) {
      outcome = 'error';
      input.log.warn({ err: describeError(error) }, `${input.name} failed`);
      await safeRespond(
        input.respond,
        { ...renderCasError(error, input.whatFails), ...input.errorPlacement } as RespondArguments,
        input.log,
      );
    } finally {
      deps.observe?.commandAnswered?.(input.name, performance.now() - started, outcome);
    }
  };
  await (deps.inflight ? deps.inflight.track(answer()) : answer());
}

/** A slash command's listener: `build` returns its answer. */
export function commandListener(
  deps: SlackDeps,
  spec: { name: string; whatFails: string },
  build: (args: CommandArgs, log: Logger) => Promise<Answer | undefined>,
) {
  return async (args: CommandArgs): Promise<void> => {
    const log = deps.logger.child({ command: spec.name, user: args.command.user_id, team: args.command.team_id });
    await listen(deps, {
      name: spec.name,
      whatFails: spec.whatFails,
      ack: () => args.ack(),
      respond: args.respond,
      log,
      errorPlacement: { response_type: 'ephemeral' },
      build: () => build(args, log),
    });
  };
}

/**
 * How a button pressed outside a message is answered. App Home (and a modal) has no
 * response_url and no channel, only a trigger_id, valid for 3 seconds: the answer opens in a
 * modal (views.open), or is stacked on the modal the button sits in (views.push).
 */
function modalResponder(args: ButtonArgs, title: string): Responder {
  return async (message) => {
    const answer = message as { text?: string; blocks?: KnownBlock[] };
    const blocks = answer.blocks && answer.blocks.length > 0 ? answer.blocks : [section(answer.text ?? '')];
    const view = answerModal({ text: answer.text ?? '', blocks }, title);
    const trigger_id = args.body.trigger_id;
    if (args.body.view?.type === 'modal') return args.client.views.push({ trigger_id, view });
    return args.client.views.open({ trigger_id, view });
  };
}

/**
 * A button's listener: its value is decoded by the button's codec first, and a value that is
 * not one the bot renders (tampered, or from an older message) gets one clear ephemeral answer.
 * Pressed on a message, the answer goes through response_url; pressed where there is none (App
 * Home), it opens in a modal titled `modalTitle`.
 */
export function buttonListener<T>(
  deps: SlackDeps,
  spec: {
    codec: ButtonCodec<T>;
    whatFails: string;
    onUnreadable?: (args: ButtonArgs) => Promise<void>;
    /** At most 24 characters (default "Cert Bot"). */
    modalTitle?: string;
  },
  build: (value: T, args: ButtonArgs, log: Logger) => Promise<Answer | undefined>,
) {
  return async (args: ButtonArgs): Promise<void> => {
    const log = deps.logger.child({ action: args.action.action_id, user: args.body.user.id });
    await listen(deps, {
      name: spec.codec.actionId,
      whatFails: spec.whatFails,
      ack: () => args.ack(),
      respond: args.body.response_url ? args.respond : modalResponder(args, spec.modalTitle ?? 'Cert Bot'),
      log,
      errorPlacement: { response_type: 'ephemeral', replace_original: false },
      build: async () => {
        const value = spec.codec.decode(args.action.value);
        if (value === undefined) {
          log.warn('button with an unreadable value');
          await spec.onUnreadable?.(args);
          return { ...renderStaleButton(), response_type: 'ephemeral', replace_original: false };
        }
        return build(value, args, log);
      },
    });
  };
}

export async function safeRespond(respond: Responder, message: RespondArguments, log: Logger): Promise<void> {
  try {
    await respond(message);
  } catch (error) {
    // response_url expired or Slack unreachable: nothing more can reach the user; log and go on.
    log.error({ err: describeError(error) }, 'could not answer through response_url');
  }
}
