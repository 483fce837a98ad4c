import { z } from 'zod';
import { hostNameProblem } from '../domain/endpoints';
import { CERTIFICATE_VIEWS } from '../domain/views';

/**
 * Every button the bot renders: its action_id and the shape of its value, encoded by the
 * renderers and decoded (zod-validated) by the listeners, so the two cannot drift apart and a
 * tampered or stale value is caught in one place.
 */
export interface ButtonCodec<T> {
  readonly actionId: string;
  encode(value: T): string;
  /** The value, or undefined when it is not one this button carries (forged, stale, cut). */
  decode(raw: string | undefined): T | undefined;
}

export function codec<T>(actionId: string, schema: z.ZodType<T>): ButtonCodec<T> {
  return {
    actionId,
    // Typed by the compiler; renderers must never throw on odd input, so no parse here.
    encode: (value) => JSON.stringify(value),
    decode(raw) {
      if (typeof raw !== 'string') return undefined;
      try {
        const parsed = schema.safeParse(JSON.parse(raw));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

const view = z.enum(CERTIFICATE_VIEWS);

const accountName = z.string().min(1).max(64);
export const listOpenValue = z.object({ status: view, account: accountName.optional() });
export const listPageValue = z.object({
  status: view,
  /** The one account listed, when the list was narrowed with `account:NAME`. */
  account: accountName.optional(),
  // Longer than MAX_KEYWORD is refused by the command; here only what fits in a button.
  keyword: z.string().max(2_000).optional(),
  /** 0-based target page. */
  page: z.number().int().min(0).max(1_000_000),
});
/** A pending /cert-assign lives on the server; its buttons carry only the nonce that names it. */
export const assignDecisionValue = z.object({ nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });

/** An alert's buttons name the certificate; what it crossed and who acted live on the server. */
export const alertValue = z.object({ account: z.string().min(1).max(100), id: z.string().min(1).max(100) });

/** A drift alert's buttons name the endpoint; its alerts and who acted live on the server. */
export const driftValue = z.object({
  host: z
    .string()
    .max(253)
    .refine((host) => hostNameProblem(host) === undefined && host === host.toLowerCase()),
  port: z.number().int().min(1).max(65_535),
});

/** App Home's Refresh: the view is built for whoever pressed it, so the button carries nothing. */
export const homeRefreshValue = z.object({});

export type ListOpenValue = z.infer<typeof listOpenValue>;
export type ListPageValue = z.infer<typeof listPageValue>;
export type AssignDecisionValue = z.infer<typeof assignDecisionValue>;
export type AlertValue = z.infer<typeof alertValue>;
export type DriftValue = z.infer<typeof driftValue>;
export type HomeRefreshValue = z.infer<typeof homeRefreshValue>;

export const BUTTONS = {
  listOpen: codec('cert_list_open', listOpenValue),
  /** A second list button in one message (Slack wants action_ids apart); the same action. */
  listOpenOther: codec('cert_list_open_2', listOpenValue),
  listPrev: codec('cert_list_prev', listPageValue),
  listNext: codec('cert_list_next', listPageValue),
  assignConfirm: codec('cert_assign_confirm', assignDecisionValue),
  assignCancel: codec('cert_assign_cancel', assignDecisionValue),
  alertAcknowledge: codec('cert_alert_ack', alertValue),
  alertSnoozeDay: codec('cert_alert_snooze_1d', alertValue),
  alertSnoozeWeek: codec('cert_alert_snooze_7d', alertValue),
  driftAcknowledge: codec('cert_drift_ack', driftValue),
  driftSnoozeDay: codec('cert_drift_snooze_1d', driftValue),
  driftSnoozeWeek: codec('cert_drift_snooze_7d', driftValue),
  certInfo: codec('cert_info_show', alertValue),
  homeRefresh: codec('cert_home_refresh', homeRefreshValue),
} as const;

/** action_ids of the buttons the renderers emit; listeners register on these. */
export const ACTION_IDS = Object.fromEntries(
  Object.entries(BUTTONS).map(([name, codec]) => [name, codec.actionId]),
) as {
  readonly [K in keyof typeof BUTTONS]: string;
};
