import type { KnownBlock } from '@slack/types';

export type { KnownBlock };

/** What every renderer returns: a Block Kit message and its plain fallback (notifications, screen readers). */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** action_ids of the buttons the renderers emit; listeners register on these. */
export const ACTION_IDS = {
  listOpen: 'cert_list_open',
  listPrev: 'cert_list_prev',
  listNext: 'cert_list_next',
  assignConfirm: 'cert_assign_confirm',
  assignCancel: 'cert_assign_cancel',
} as const;

export type ListStatus = 'expiring' | 'expired' | 'issued' | 'uploaded' | 'all';

/** JSON in the `value` of the `cert_list_open` button. */
export interface ListOpenValue {
  status: ListStatus;
}

/** JSON in the `value` of the `cert_list_prev` / `cert_list_next` buttons; `page` is the 0-based target page. */
export interface ListPageValue {
  status: ListStatus;
  keyword?: string;
  page: number;
}

/** JSON in the `value` of the `cert_assign_confirm` / `cert_assign_cancel` buttons. */
export interface AssignValue {
  id: number;
  count: number;
  /** Slack user id of the admin who ran /cert-assign; only they may press the buttons. */
  admin: string;
}
