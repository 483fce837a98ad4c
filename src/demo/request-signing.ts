import crypto from 'node:crypto';

/**
 * Slack's v0 request signature: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing
 * secret. Bolt verifies it on every request; the demo and the tests sign what they send.
 */
export function slackSignature(body: string, timestamp: number, signingSecret: string): string {
  return `v0=${crypto.createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Headers of a signed form post, with the exact Content-Type Bolt's receiver accepts. */
export function signedFormHeaders(body: string, signingSecret: string, timestamp = Math.floor(Date.now() / 1000)) {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(body, timestamp, signingSecret),
  };
}
