import { slackSignature } from '../../src/demo/request-signing';

export const SIGNING_SECRET = 'test-signing-secret-8f1c2d3e4b5a6978';

/** Signs a body as Slack does: v0=HMAC-SHA256(secret, "v0:{ts}:{body}"). */
export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return slackSignature(body, timestamp, secret);
}

export interface PostOptions {
  timestamp?: number;
  signature?: string;
  secret?: string;
}

/** POSTs a signed form body to the app, with the exact Content-Type Bolt's receiver accepts. */
export async function postSigned(url: string, form: Record<string, string>, options: PostOptions = {}) {
  const body = new URLSearchParams(form).toString();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? sign(body, timestamp, options.secret),
    },
    body,
  });
}

let counter = 0;

export interface CommandPayload {
  command: string;
  text: string;
  user_id: string;
  response_url: string;
  channel_id?: string;
}

/** A slash-command payload with Slack's fields; overrides replace any of them. */
export function commandForm(payload: CommandPayload): Record<string, string> {
  counter += 1;
  return {
    token: 'deprecated-verification-token',
    team_id: 'T0TEST',
    team_domain: 'example',
    channel_id: payload.channel_id ?? 'C0GENERAL',
    channel_name: 'general',
    user_id: payload.user_id,
    user_name: 'someone',
    command: payload.command,
    text: payload.text,
    api_app_id: 'A0CERTBOT',
    is_enterprise_install: 'false',
    response_url: payload.response_url,
    trigger_id: `trigger-${counter}`,
  };
}

/** A block_actions payload for a button press, form-encoded under `payload` as Slack sends it. */
export function buttonForm(input: {
  actionId: string;
  value: string;
  userId: string;
  responseUrl: string;
  messageTs?: string;
}): Record<string, string> {
  counter += 1;
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'example' },
    user: { id: input.userId, username: 'someone', team_id: 'T0TEST' },
    api_app_id: 'A0CERTBOT',
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: input.messageTs ?? `1700000000.${counter}`,
      channel_id: 'C0GENERAL',
      is_ephemeral: true,
    },
    trigger_id: `trigger-${counter}`,
    channel: { id: 'C0GENERAL', name: 'general' },
    response_url: input.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'x' },
        value: input.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return { payload: JSON.stringify(payload) };
}

/** POSTs a signed JSON body (Events API), signed over the exact bytes sent. */
export async function postSignedJson(url: string, body: unknown, options: PostOptions = {}) {
  const raw = JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? sign(raw, timestamp, options.secret),
    },
    body: raw,
  });
}

/** An Events API envelope around one event, as Slack sends it to the request URL. */
export function eventCallback(event: Record<string, unknown>): Record<string, unknown> {
  counter += 1;
  const now = Date.now() / 1000;
  return {
    token: 'deprecated-verification-token',
    team_id: 'T0TEST',
    api_app_id: 'A0CERTBOT',
    type: 'event_callback',
    event_id: `Ev0TEST${counter}`,
    event_time: Math.floor(now),
    event: { event_ts: `${now.toFixed(6)}`, ...event },
  };
}

/** `app_home_opened` for a user, on the Home tab (or the Messages tab). */
export function appHomeOpened(user: string, tab: 'home' | 'messages' = 'home'): Record<string, unknown> {
  return eventCallback({ type: 'app_home_opened', user, channel: 'D0HOME01', tab });
}

/**
 * A button pressed on App Home: block_actions from a `home` view, with a trigger_id and, as
 * Slack sends it there, no response_url and no channel.
 */
export function homeButtonForm(input: { actionId: string; value: string; userId: string }): {
  triggerId: string;
  form: Record<string, string>;
} {
  counter += 1;
  const triggerId = `trigger-home-${counter}`;
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'example' },
    user: { id: input.userId, username: 'someone', team_id: 'T0TEST' },
    api_app_id: 'A0CERTBOT',
    token: 'deprecated-verification-token',
    container: { type: 'view', view_id: 'V0HOME01' },
    trigger_id: triggerId,
    view: { id: 'V0HOME01', type: 'home', team_id: 'T0TEST', blocks: [], private_metadata: '', hash: 'h1' },
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'x' },
        value: input.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return { triggerId, form: { payload: JSON.stringify(payload) } };
}

/** A view_submission payload (a modal's submit), form-encoded under `payload` as Slack sends it. */
export function viewSubmissionForm(input: {
  callbackId: string;
  privateMetadata: string;
  userId: string;
  values: Record<string, Record<string, unknown>>;
}): Record<string, string> {
  counter += 1;
  const payload = {
    type: 'view_submission',
    team: { id: 'T0TEST', domain: 'example' },
    user: { id: input.userId, username: 'someone', team_id: 'T0TEST' },
    api_app_id: 'A0CERTBOT',
    token: 'deprecated-verification-token',
    trigger_id: `trigger-view-${counter}`,
    view: {
      id: `V0MODAL${counter}`,
      team_id: 'T0TEST',
      type: 'modal',
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata,
      blocks: [],
      state: { values: input.values },
      hash: `h${counter}`,
    },
    response_urls: [],
  };
  return { payload: JSON.stringify(payload) };
}
