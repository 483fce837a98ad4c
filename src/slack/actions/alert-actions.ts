import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { refreshDriftMessage } from '../../alerts/drift';
import { type AlertDeps, refreshMessage } from '../../alerts/run';
import { endpointLabel } from '../../render/probe';
import { certificateState } from '../../domain/certificate-state';
import { formatUtc } from '../../render/format';
import { EMOJI } from '../blocks/emoji';
import { buildMessage, section } from '../blocks/builders';
import { codeSpan, userMention } from '../blocks/escape';
import { type AlertValue, BUTTONS, type DriftValue } from '../button-codecs';
import type { SlackDeps } from '../deps';
import { pressedOnHome, publishHome } from '../home';
import { type Answer, type ButtonArgs, buttonListener } from '../listener';

const DAY_MS = 86_400_000;

function note(text: string): Answer {
  return {
    ...buildMessage(text, [section(`${EMOJI.warning} ${text}`)]),
    response_type: 'ephemeral',
    replace_original: false,
  };
}

/**
 * Acknowledge, Snooze 1 day and Snooze 7 days on an alert. Anyone in the channel may press
 * them; each press is recorded with who and when (store and audit log) and the alert message
 * is updated in place (pressed on App Home: the user's Home view is published again). A second
 * Acknowledge says who already did.
 */
export function registerAlertActions(app: App, deps: SlackDeps & { alertDeps: () => Promise<AlertDeps> }): void {
  async function act(
    kind: 'acknowledge' | 'snooze-1' | 'snooze-7',
    value: AlertValue,
    { body }: ButtonArgs,
  ): Promise<Answer | undefined> {
    const userId = body.user.id;
    const alertDeps = await deps.alertDeps();
    const now = deps.now();
    const snapshot = await alertDeps.snapshot(now);
    const certificate = snapshot?.certificates.find((c) => c.account === value.account && c.id === value.id);
    if (!certificate)
      return note(
        `Certificate ${codeSpan(value.id, 40)} is not in the inventory any more (removed from Certificate Management Service); nothing to ${kind === 'acknowledge' ? 'acknowledge' : 'snooze'}.`,
      );
    // A stale deployment (renewed, the old one still serving) is still at risk: it can be acknowledged.
    if (certificate.replacedBy && certificateState(certificate, now) === 'renewed')
      return note(
        `This certificate was renewed by ${codeSpan(certificate.replacedBy.id, 40)}${certificate.replacedBy.endDate ? ` (ends ${certificate.replacedBy.endDate})` : ''}: no more alerts for it, nothing to ${kind === 'acknowledge' ? 'acknowledge' : 'snooze'}.`,
      );
    const audit = { userId, teamId: body.team?.id, channelId: body.channel?.id, at: now };
    if (kind === 'acknowledge') {
      const state = await alertDeps.alerts.acknowledge(value.account, value.id, userId, now);
      if (state.acknowledgedBy !== userId || (state.acknowledgedAt && state.acknowledgedAt.getTime() < now.getTime())) {
        return note(
          `Already acknowledged by ${userMention(state.acknowledgedBy)} at ${formatUtc(state.acknowledgedAt ?? now)}.`,
        );
      }
      await deps.store.audit.record({ ...audit, action: 'alert-acknowledge', outcome: 'acknowledged', details: value });
      deps.observe?.alertAction?.('acknowledge');
    } else {
      const until = new Date(now.getTime() + (kind === 'snooze-1' ? 1 : 7) * DAY_MS);
      await alertDeps.alerts.snooze(value.account, value.id, userId, until);
      await deps.store.audit.record({
        ...audit,
        action: 'alert-snooze',
        outcome: 'snoozed',
        details: { ...value, until: until.toISOString() },
      });
      deps.observe?.alertAction?.('snooze');
    }
    // The message the button sits on shows the new state; other messages about it follow at their next update.
    const channel = body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id;
    const ts = (body.container as { message_ts?: string } | undefined)?.message_ts ?? body.message?.ts;
    const message = channel && ts ? await alertDeps.alerts.message(channel, ts) : undefined;
    if (message) await refreshMessage(alertDeps, message);
    return undefined;
  }

  /**
   * The same buttons on a drift alert: they name an endpoint, and act on its alerts that are
   * still open (a value naming an endpoint with none, forged or fixed since, changes nothing).
   */
  async function actOnDrift(
    kind: 'acknowledge' | 'snooze-1' | 'snooze-7',
    value: DriftValue,
    { body }: ButtonArgs,
  ): Promise<Answer | undefined> {
    const userId = body.user.id;
    const alertDeps = await deps.alertDeps();
    const drift = alertDeps.drift;
    const what = kind === 'acknowledge' ? 'acknowledge' : 'snooze';
    const shown = codeSpan(endpointLabel(value), 260);
    if (!drift) return note(`Drift alerts are off (PROBE_INTERVAL_MINUTES is 0); nothing to ${what}.`);
    const now = deps.now();
    const audit = { userId, teamId: body.team?.id, channelId: body.channel?.id, at: now };
    const open =
      kind === 'acknowledge'
        ? await drift.store.acknowledge(value, userId, now)
        : await drift.store.snooze(value, userId, new Date(now.getTime() + (kind === 'snooze-1' ? 1 : 7) * DAY_MS));
    if (open.length === 0)
      return note(
        `${shown} has no open drift alert: a later probe found it fixed (or it was never announced); nothing to ${what}.`,
      );
    if (kind === 'acknowledge') {
      const first = open.find((r) => r.acknowledgedBy !== undefined);
      if (!open.some((r) => r.acknowledgedBy === userId && r.acknowledgedAt?.getTime() === now.getTime()))
        return note(
          `Already acknowledged by ${userMention(first?.acknowledgedBy)} at ${formatUtc(first?.acknowledgedAt ?? now)}.`,
        );
      await deps.store.audit.record({ ...audit, action: 'drift-acknowledge', outcome: 'acknowledged', details: value });
      deps.observe?.alertAction?.('acknowledge');
    } else {
      await deps.store.audit.record({
        ...audit,
        action: 'drift-snooze',
        outcome: 'snoozed',
        details: { ...value, until: open[0]?.snoozedUntil?.toISOString() },
      });
      deps.observe?.alertAction?.('snooze');
    }
    const channel = body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id;
    const ts = (body.container as { message_ts?: string } | undefined)?.message_ts ?? body.message?.ts;
    if (channel && ts) await refreshDriftMessage(alertDeps, drift, channel, ts);
    return undefined;
  }

  const registerDrift = (codec: typeof BUTTONS.driftAcknowledge, kind: 'acknowledge' | 'snooze-1' | 'snooze-7') =>
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

  const register = (codec: typeof BUTTONS.alertAcknowledge, kind: 'acknowledge' | 'snooze-1' | 'snooze-7') =>
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
