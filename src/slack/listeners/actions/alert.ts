import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import {
  type AlertActionKind,
  type AlertActionOutcome,
  type AlertPress,
  actOnCertificateAlert,
  actOnDriftAlert,
} from '../../../alerts/acknowledge';
import type { AlertDeps } from '../../../alerts/run';
import { endpointLabel } from '../../../render/probe';
import { formatUtc } from '../../../render/format';
import { EMOJI } from '../../blocks/emoji';
import { buildMessage, section } from '../../blocks/builders';
import { codeSpan, userMention } from '../../blocks/escape';
import { type AlertValue, BUTTONS, type DriftValue } from '../../button-codecs';
import type { SlackDeps } from '../../deps';
import { pressedOnHome, publishHome } from '../events/app-home';
import { type Answer, type ButtonArgs, buttonListener } from '../../listener';

function note(text: string): Answer {
  return {
    ...buildMessage(text, [section(`${EMOJI.warning} ${text}`)]),
    response_type: 'ephemeral',
    replace_original: false,
  };
}

/** Where the button was pressed: the channel message it sits on, if any. */
function pressOf(kind: AlertActionKind, body: ButtonArgs['body']): AlertPress {
  const channel = body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id;
  const ts = (body.container as { message_ts?: string } | undefined)?.message_ts ?? body.message?.ts;
  return {
    kind,
    userId: body.user.id,
    teamId: body.team?.id,
    channelId: body.channel?.id,
    message: channel && ts ? { channel, ts } : undefined,
  };
}

/** The answer to the person who pressed: nothing when the message itself shows what changed. */
function answerFor(outcome: AlertActionOutcome, kind: AlertActionKind, subject: string): Answer | undefined {
  const what = kind === 'acknowledge' ? 'acknowledge' : 'snooze';
  switch (outcome.kind) {
    case 'done':
      return undefined;
    case 'not-in-inventory':
      return note(
        `Certificate ${subject} is not in the inventory any more (removed from Certificate Management Service); nothing to ${what}.`,
      );
    case 'renewed':
      return note(
        `This certificate was renewed by ${codeSpan(outcome.by.id, 40)}${outcome.by.endDate ? ` (ends ${outcome.by.endDate})` : ''}: no more alerts for it, nothing to ${what}.`,
      );
    case 'already-acknowledged':
      return note(`Already acknowledged by ${userMention(outcome.by)} at ${formatUtc(outcome.at)}.`);
    case 'drift-off':
      return note(`Drift alerts are off (PROBE_INTERVAL_MINUTES is 0); nothing to ${what}.`);
    case 'no-open-drift':
      return note(
        `${subject} has no open drift alert: a later probe found it fixed (or it was never announced); nothing to ${what}.`,
      );
  }
}

/**
 * Acknowledge, Snooze 1 day and Snooze 7 days on an expiry or drift alert: decode the button,
 * let the use case act (alerts/acknowledge.ts), answer with its outcome. Anyone in the channel
 * may press them; a press on App Home publishes the user's Home view again.
 */
export function registerAlertActions(app: App, deps: SlackDeps & { alertDeps: () => Promise<AlertDeps> }): void {
  const actionDeps = async () => ({
    alertDeps: await deps.alertDeps(),
    audit: deps.store.audit,
    now: deps.now,
    observe: deps.observe,
  });
  const act = async (kind: AlertActionKind, value: AlertValue, { body }: ButtonArgs) =>
    answerFor(
      await actOnCertificateAlert(await actionDeps(), value, pressOf(kind, body)),
      kind,
      codeSpan(value.id, 40),
    );
  const actOnDrift = async (kind: AlertActionKind, value: DriftValue, { body }: ButtonArgs) =>
    answerFor(
      await actOnDriftAlert(await actionDeps(), value, pressOf(kind, body)),
      kind,
      codeSpan(endpointLabel(value), 260),
    );

  const registerDrift = (codec: typeof BUTTONS.driftAcknowledge, kind: AlertActionKind) =>
    app.action<BlockAction<ButtonAction>>(
      codec.actionId,
      buttonListener(
        deps,
        { codec, whatFails: 'Could not update the drift alert', modalTitle: 'Drift alert' },
        (value, args) => actOnDrift(kind, value, args),
      ),
    );
  registerDrift(BUTTONS.driftAcknowledge, 'acknowledge');
  registerDrift(BUTTONS.driftSnoozeDay, 'snooze-1');
  registerDrift(BUTTONS.driftSnoozeWeek, 'snooze-7');

  const register = (codec: typeof BUTTONS.alertAcknowledge, kind: AlertActionKind) =>
    app.action<BlockAction<ButtonAction>>(
      codec.actionId,
      buttonListener(
        deps,
        { codec, whatFails: 'Could not update the alert', modalTitle: 'Certificate alert' },
        async (value, args, log) => {
          const answer = await act(kind, value, args);
          // Pressed on App Home: the user's dashboard shows the new state (a note, if any, opens in a modal).
          const { homeView } = deps;
          if (homeView && pressedOnHome(args.body))
            await publishHome({ ...deps, homeView }, args.client, args.body.user.id, log);
          return answer;
        },
      ),
    );
  register(BUTTONS.alertAcknowledge, 'acknowledge');
  register(BUTTONS.alertSnoozeDay, 'snooze-1');
  register(BUTTONS.alertSnoozeWeek, 'snooze-7');
}
