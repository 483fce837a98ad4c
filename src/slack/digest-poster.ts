import type { WebClient } from '@slack/web-api';
import { DIGEST_EVENT_TYPE, type DigestPoster } from '../digest/run';
import { findInHistory, payloadField } from './channel-history';

/**
 * The digest's Slack calls on a Web API client: post with metadata, find an earlier post by it,
 * and the trend chart in the digest's thread (upload, and find an earlier upload). All go
 * through `postClient`, which must not retry on its own (see createAlertPoster).
 */
export function createDigestPoster(postClient: WebClient): Required<DigestPoster> {
  return {
    async postMessage(message) {
      const result = await postClient.chat.postMessage(message as Parameters<WebClient['chat']['postMessage']>[0]);
      return { ts: result.ts };
    },
    findPosted: (channel, period, since) =>
      findInHistory(postClient, channel, since, (m) => payloadField(m, DIGEST_EVENT_TYPE, 'period') === period),
    async uploadChart(chart) {
      // files.getUploadURLExternal, the bytes to its upload_url, then files.completeUploadExternal.
      const result = await postClient.filesUploadV2({
        channel_id: chart.channel,
        thread_ts: chart.threadTs,
        file: chart.png,
        filename: chart.filename,
        title: chart.title,
        alt_text: chart.altText,
      });
      return { fileId: result.files?.[0]?.files?.[0]?.id };
    },
    async findChart(channel, threadTs, filename) {
      const result = await postClient.conversations.replies({ channel, ts: threadTs, limit: 100 });
      return (result.messages ?? []).some((m) => m.files?.some((f) => f.name === filename));
    },
  };
}
