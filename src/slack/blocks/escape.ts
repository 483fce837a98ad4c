import { shownAccount } from '../../render/accounts';
/**
 * Making untrusted text (names from CAS, words a person typed) safe and short enough for
 * mrkdwn: cleaning, one-line, escaping, truncation measured in JSON cost. Pure.
 */

export const ELLIPSIS = '…';

/** Characters a JSON payload spends on `text` (JSON.stringify escapes quotes, backslashes, controls). */
export function jsonCost(text: string): number {
  return JSON.stringify(text).length - 2;
}

/**
 * Removes what has no place in a message: control characters (newlines and tabs aside; tabs
 * become spaces), lone UTF-16 surrogates, and CR/CRLF line ends.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function cleanText(text: string): string {
  return String(text)
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(CONTROL_CHARACTERS, ' ')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** cleanText, and newlines too become spaces: for values shown inside one line (names, tokens). */
export function oneLine(text: string): string {
  return cleanText(text).replace(/\s*\n\s*/g, ' ');
}

/** Escapes the three characters mrkdwn treats as markup (Slack's own rule). */
export function escapeMrkdwn(text: string): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * escapeMrkdwn for text that may already be partly escaped (a fallback assembled from escaped
 * pieces and raw ones): `&` starting one of the three entities is left alone, so escaping twice
 * changes nothing.
 */
export function escapeMrkdwnOnce(text: string): string {
  return String(text)
    .replace(/&(?!(?:amp|lt|gt);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * Shortens `text` to at most `max` characters, ending with "…" when something was cut. Never
 * splits a surrogate pair or an HTML entity such as `&amp;`.
 */
export function truncate(text: string, max: number): string {
  const limit = Math.floor(max);
  if (text.length <= limit) return text;
  if (limit <= 0) return '';
  if (limit === 1) return ELLIPSIS;
  let cut = limit - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  let head = text.slice(0, cut);
  const partialEntity = /&#?[a-zA-Z0-9]{0,6}$/.exec(head);
  if (partialEntity && /^[a-zA-Z0-9]*;/.test(text.slice(cut))) head = head.slice(0, partialEntity.index);
  return head.trimEnd() + ELLIPSIS;
}

/** Like truncate, but the limit is on the JSON cost (see jsonCost). */
export function fitText(text: string, maxCost: number): string {
  if (jsonCost(text) <= maxCost) return text;
  if (maxCost <= 0) return '';
  // Cost is at least the length, so nothing past maxCost characters can stay.
  let low = 0;
  let high = Math.min(text.length, Math.floor(maxCost));
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (jsonCost(truncate(text, mid)) <= maxCost) low = mid;
    else high = mid - 1;
  }
  return truncate(text, low);
}

/**
 * Text from a user or from Alibaba Cloud, made safe to show inside one mrkdwn line: cleaned,
 * single line, shortened to `max` characters (before escaping, so no entity is cut) and escaped.
 */
export function inlineText(raw: string | number | undefined | null, max: number): string {
  if (raw === undefined || raw === null) return '';
  // Cleaning never lengthens text, so a prefix a little over `max` is all that can be shown.
  const prefix = String(raw).slice(0, Math.max(0, Math.floor(max)) * 2 + 16);
  return escapeMrkdwn(truncate(oneLine(prefix).trim(), max));
}

/**
 * A code span holding untrusted text: mrkdwn cannot escape a backtick inside one, so backticks
 * become apostrophes. Empty input gives an empty string (callers decide what to show instead).
 */
export function codeSpan(raw: string | number | undefined, max: number): string {
  const inner = inlineText(raw, max).replace(/`/g, "'");
  return inner ? `\`${inner}\`` : '';
}

/**
 * Bold text holding untrusted text. mrkdwn has no escape for `*`, and wildcard names such as
 * `*.example.com` would end the bold early, so an asterisk inside becomes "∗" (U+2217).
 */
/** `<@U123>` for a well-formed Slack user ID, else the ID as plain text; 'someone' when there is none. */
export function userMention(userId: string | undefined): string {
  if (typeof userId !== 'string' || userId === '') return 'someone';
  return /^[UW][A-Z0-9]{1,30}$/.test(userId) ? `<@${userId}>` : inlineText(userId, 40);
}

/** `<#C123>` for a well-formed Slack channel ID, else the ID as plain text. */
export function channelMention(channelId: string): string {
  return /^[CGD][A-Z0-9]{1,30}$/.test(channelId) ? `<#${channelId}>` : inlineText(channelId, 40);
}

export function boldText(raw: string | undefined, max: number): string {
  const inner = inlineText(raw, max).replace(/\*/g, '\u2217');
  return inner ? `*${inner}*` : '';
}

/** `[prod] ` before a certificate of a named account, as a code span; nothing for the default account. */
export function accountTag(account: string | undefined): string {
  const shown = shownAccount(account);
  return shown === undefined ? '' : `${codeSpan(shown, 40)} `;
}
