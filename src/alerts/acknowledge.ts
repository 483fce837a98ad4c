import { certificateState } from '../domain/certificate-state';
import type { Endpoint } from '../domain/endpoints';
import type { AuditLog } from '../store/types';
import { refreshDriftMessage } from './drift';
import { type AlertDeps, refreshMessage } from './run';

/**
 * Acknowledge and Snooze on an alert, whoever presses them (a button in the channel, on App
 * Home): recorded with who and when (store and audit log), and the message the button sits on
 * updated in place. The answer to the person is the caller's to word.
 */

const DAY_MS = 86_400_000;

export type AlertActionKind = 'acknowledge' | 'snooze-1' | 'snooze-7';

export interface AlertActionDeps {
  alertDeps: AlertDeps;
  audit: AuditLog;
  now: () => Date;
  observe?: { alertAction?(action: 'acknowledge' | 'snooze'): void };
}

export interface AlertPress {
  kind: AlertActionKind;
  userId: string;
  teamId?: string;
  channelId?: string;
  /** The message the button sits on, when it is a channel message. */
  message?: { channel: string; ts: string };
}

export type AlertActionOutcome =
  | { kind: 'done' }
  | { kind: 'not-in-inventory' }
  | { kind: 'renewed'; by: { id: string; endDate?: string } }
  | { kind: 'already-acknowledged'; by?: string; at: Date }
  | { kind: 'drift-off' }
  | { kind: 'no-open-drift' };

const snoozedUntil = (kind: AlertActionKind, now: Date) =>
  new Date(now.getTime() + (kind === 'snooze-1' ? 1 : 7) * DAY_MS);

/** On an expiry or stale-deployment alert: the certificate (account and ID) the button names. */
export async function actOnCertificateAlert(
  deps: AlertActionDeps,
  target: { account: string; id: string },
  press: AlertPress,
): Promise<AlertActionOutcome> {
  const { alertDeps } = deps;
  const now = deps.now();
  const {
    certificates: [certificate],
  } = await alertDeps.inventory.select({ keys: [target] }, now, { limit: 1 });
  if (!certificate) return { kind: 'not-in-inventory' };
  // A stale deployment (renewed, the old one still serving) is still at risk: it can be acknowledged.
  if (certificate.replacedBy && certificateState(certificate, now) === 'renewed')
    return { kind: 'renewed', by: { id: certificate.replacedBy.id, endDate: certificate.replacedBy.endDate } };
  const audit = { userId: press.userId, teamId: press.teamId, channelId: press.channelId, at: now };
  if (press.kind === 'acknowledge') {
    const state = await alertDeps.alerts.acknowledge(target.account, target.id, press.userId, now);
    if (
      state.acknowledgedBy !== press.userId ||
      (state.acknowledgedAt && state.acknowledgedAt.getTime() < now.getTime())
    )
      return { kind: 'already-acknowledged', by: state.acknowledgedBy, at: state.acknowledgedAt ?? now };
    await deps.audit.record({ ...audit, action: 'alert-acknowledge', outcome: 'acknowledged', details: target });
    deps.observe?.alertAction?.('acknowledge');
  } else {
    const until = snoozedUntil(press.kind, now);
    await alertDeps.alerts.snooze(target.account, target.id, press.userId, until);
    await deps.audit.record({
      ...audit,
      action: 'alert-snooze',
      outcome: 'snoozed',
      details: { ...target, until: until.toISOString() },
    });
    deps.observe?.alertAction?.('snooze');
  }
  // The message the button sits on shows the new state; other messages about it follow at their next update.
  const message = press.message ? await alertDeps.alerts.message(press.message.channel, press.message.ts) : undefined;
  if (message) await refreshMessage(alertDeps, message);
  return { kind: 'done' };
}

/**
 * On a drift alert: the endpoint the button names, and its alerts that are still open (a value
 * naming an endpoint with none, forged or fixed since, changes nothing).
 */
export async function actOnDriftAlert(
  deps: AlertActionDeps,
  endpoint: Endpoint,
  press: AlertPress,
): Promise<AlertActionOutcome> {
  const { alertDeps } = deps;
  const drift = alertDeps.drift;
  if (!drift) return { kind: 'drift-off' };
  const now = deps.now();
  const audit = { userId: press.userId, teamId: press.teamId, channelId: press.channelId, at: now };
  const open =
    press.kind === 'acknowledge'
      ? await drift.store.acknowledge(endpoint, press.userId, now)
      : await drift.store.snooze(endpoint, press.userId, snoozedUntil(press.kind, now));
  if (open.length === 0) return { kind: 'no-open-drift' };
  if (press.kind === 'acknowledge') {
    const first = open.find((r) => r.acknowledgedBy !== undefined);
    if (!open.some((r) => r.acknowledgedBy === press.userId && r.acknowledgedAt?.getTime() === now.getTime()))
      return { kind: 'already-acknowledged', by: first?.acknowledgedBy, at: first?.acknowledgedAt ?? now };
    await deps.audit.record({
      ...audit,
      action: 'drift-acknowledge',
      outcome: 'acknowledged',
      details: { ...endpoint },
    });
    deps.observe?.alertAction?.('acknowledge');
  } else {
    await deps.audit.record({
      ...audit,
      action: 'drift-snooze',
      outcome: 'snoozed',
      details: { ...endpoint, until: open[0]?.snoozedUntil?.toISOString() },
    });
    deps.observe?.alertAction?.('snooze');
  }
  if (press.message) await refreshDriftMessage(alertDeps, drift, press.message.channel, press.message.ts);
  return { kind: 'done' };
}
