import { parseTime } from '../../domain/expiry';
import { formatUtc } from '../../render/format';

/**
 * Dates and times in each reader's own time zone: Slack renders `<!date^SECONDS^FORMAT|FALLBACK>`
 * in the zone and locale of whoever reads it ("Today 14:32", "Tomorrow 9:00 AM"). The fallback,
 * shown where Slack does not render the token (notifications, the terminal renderer, some
 * integrations), is UTC and says so. Pure. Only for mrkdwn text: plain_text shows the token as is.
 */

/** "Today at 14:32" in the reader's zone; fallback "2026-11-23 06:32 UTC". */
export function slackDateTime(value: number | string | Date): string {
  const ms = parseTime(value);
  if (ms === undefined) return formatUtc(value);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${formatUtc(ms)}>`;
}

/** "14:32" in the reader's zone (a time of today, such as the inventory's sync); fallback "06:32 UTC". */
export function slackTime(value: Date): string {
  if (!Number.isFinite(value.getTime())) return formatUtc(value);
  return `<!date^${Math.floor(value.getTime() / 1000)}^{time}|${formatUtc(value).slice(11)}>`;
}
