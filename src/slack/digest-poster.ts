import type { WebClient } from '@slack/web-api';
import { DIGEST_EVENT_TYPE, type DigestPoster } from '../digest/run';
import { findInHistory, payloadField } from './channel-history';

/** The digest's two Slack calls on a Web API client: post with metadata, and find an earlier post by it. */
export function createDigestPoster(client: WebClient): DigestPoster {
  return {
    async postMessage(message) {
      const result = await client.chat.postMessage(message as Parameters<WebClient['chat']['postMessage']>[0]);
      return { ts: result.ts };
    },
    findPosted: (channel, period, since) =>
      findInHistory(client, channel, since, (m) => payloadField(m, DIGEST_EVENT_TYPE, 'period') === period),
  };
}
