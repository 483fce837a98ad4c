import { formatNumber } from './format';
import type {
  ActionsBlock,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  KnownBlock,
  SectionBlock,
} from '@slack/types';
import type { SlackMessage } from './types';

/**
 * Block Kit limits (docs.slack.dev/reference/block-kit; JSDoc of @slack/types 3.2.0) and small
 * builders that respect them by construction: whatever a renderer passes in, the block that
 * comes out is one Slack accepts. Lengths are measured as the text costs in the JSON payload
 * (quotes and backslashes count twice), which is never less than the text's own length, so
 * one measure keeps both the per-field limits and the whole-message budget.
 */
export const MAX_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3000;
export const MAX_SECTION_FIELDS = 10;
export const MAX_FIELD_TEXT = 2000;
export const MAX_HEADER_TEXT = 150;
export const MAX_CONTEXT_ELEMENTS = 10;
/** Text objects allow 3000; context lines are meant to be short. */
export const MAX_CONTEXT_TEXT = 2000;
export const MAX_ACTIONS_ELEMENTS = 25;
export const MAX_BUTTON_TEXT = 75;
export const MAX_BUTTON_VALUE = 2000;
export const MAX_ACTION_ID = 255;
export const MAX_BLOCK_ID = 255;
/** Slack answers msg_blocks_too_long somewhere above ~13k characters of blocks JSON. */
export const MAX_MESSAGE_JSON = 12_000;
/** What the renderers aim for, leaving room under MAX_MESSAGE_JSON. */
export const MESSAGE_JSON_BUDGET = 11_000;
/** The fallback `text` is for notifications and screen readers: a sentence or two. */
export const MAX_FALLBACK_TEXT = 1000;

const ELLIPSIS = '…';

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
export function boldText(raw: string | undefined, max: number): string {
  const inner = inlineText(raw, max).replace(/\*/g, '\u2217');
  return inner ? `*${inner}*` : '';
}

export const moreLine = (omitted: number): string => `${ELLIPSIS}and ${formatNumber(omitted)} more`;

export interface CutOptions {
  /** Budget for the joined text (lines joined by "\n"), measured as its JSON cost. */
  maxChars: number;
  /** At most this many lines come back, the "…and N more" line included. */
  maxLines: number;
  /** Builds the closing line; default "…and N more". */
  more?: (omitted: number) => string;
}

/** Packs lines into up to `maxGroups` groups, each within the budget; the last group ends with "…and N more". */
export function packLines(
  lines: readonly string[],
  options: CutOptions & { maxGroups: number },
): { groups: string[][]; omitted: number } {
  const more = options.more ?? moreLine;
  const maxLines = Math.max(1, Math.floor(options.maxLines));
  const maxGroups = Math.max(1, Math.floor(options.maxGroups));
  const maxChars = Math.max(1, Math.floor(options.maxChars));

  const pack = (reserve: number, lineCap: number) => {
    const groups: string[][] = [];
    const costs: number[] = [];
    const limit = maxChars - reserve;
    let kept = 0;
    for (const original of lines) {
      if (kept >= lineCap) break;
      const line = jsonCost(original) > limit ? fitText(original, limit) : original;
      const cost = jsonCost(line);
      const last = groups.length - 1;
      if (last >= 0 && costs[last] + 1 + cost <= limit) {
        groups[last].push(line);
        costs[last] += 1 + cost;
      } else if (groups.length < maxGroups && cost <= limit && line !== '') {
        groups.push([line]);
        costs.push(cost);
      } else {
        break;
      }
      kept += 1;
    }
    return { groups, kept };
  };

  const all = pack(0, maxLines);
  if (all.kept === lines.length) return { groups: all.groups, omitted: 0 };

  const reserve = jsonCost(more(lines.length)) + 1;
  const cut = pack(reserve, maxLines - 1);
  const omitted = lines.length - cut.kept;
  const moreText = fitText(more(omitted), maxChars);
  if (cut.groups.length === 0) cut.groups.push([moreText]);
  else cut.groups[cut.groups.length - 1].push(moreText);
  return { groups: cut.groups, omitted };
}

/** Keeps the lines that fit and appends a "…and N more" line for the rest. */
export function cutLines(lines: readonly string[], options: CutOptions): { lines: string[]; omitted: number } {
  const { groups, omitted } = packLines(lines, { ...options, maxGroups: 1 });
  return { lines: groups[0] ?? [], omitted };
}

/** Lines spread over at most `maxSections` section blocks of up to `maxChars` each. */
export function lineSections(
  lines: readonly string[],
  options: CutOptions & { maxSections: number },
): { blocks: SectionBlock[]; omitted: number } {
  const maxChars = Math.min(options.maxChars, MAX_SECTION_TEXT);
  const { groups, omitted } = packLines(lines, { ...options, maxChars, maxGroups: options.maxSections });
  return { blocks: groups.map((group) => section(group.join('\n'))), omitted };
}

const nonEmpty = (text: string, placeholder = '–'): string => (text.trim() === '' ? placeholder : text);

/** A header block: plain text, one line, at most 150 characters. */
export function header(text: string): HeaderBlock {
  return {
    type: 'header',
    text: { type: 'plain_text', text: nonEmpty(fitText(oneLine(text).trim(), MAX_HEADER_TEXT), ELLIPSIS), emoji: true },
  };
}

/** A section with mrkdwn text (already escaped by the caller), at most 3000 characters. */
export function section(text: string, accessory?: Button): SectionBlock {
  const block: SectionBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: nonEmpty(fitText(cleanText(text), MAX_SECTION_TEXT)) },
  };
  if (accessory) block.accessory = accessory;
  return block;
}

/** A section of up to 10 mrkdwn fields of up to 2000 characters; more fields end in "…and N more". */
export function fieldsSection(fields: readonly string[], text?: string): SectionBlock {
  let kept = fields.slice(0, MAX_SECTION_FIELDS);
  if (fields.length > MAX_SECTION_FIELDS) {
    kept = [...fields.slice(0, MAX_SECTION_FIELDS - 1), moreLine(fields.length - (MAX_SECTION_FIELDS - 1))];
  }
  const block: SectionBlock = {
    type: 'section',
    fields: kept.map((field) => ({ type: 'mrkdwn', text: nonEmpty(fitText(cleanText(field), MAX_FIELD_TEXT)) })),
  };
  if (kept.length === 0) block.fields = [{ type: 'mrkdwn', text: '–' }];
  if (text !== undefined) block.text = { type: 'mrkdwn', text: nonEmpty(fitText(cleanText(text), MAX_SECTION_TEXT)) };
  return block;
}

/** A context block of up to 10 mrkdwn elements; empty strings are dropped. */
export function context(texts: readonly string[]): ContextBlock {
  const present = texts.map((text) => cleanText(text)).filter((text) => text.trim() !== '');
  let kept = present.slice(0, MAX_CONTEXT_ELEMENTS);
  if (present.length > MAX_CONTEXT_ELEMENTS) {
    kept = [...present.slice(0, MAX_CONTEXT_ELEMENTS - 1), moreLine(present.length - (MAX_CONTEXT_ELEMENTS - 1))];
  }
  if (kept.length === 0) kept = ['–'];
  return {
    type: 'context',
    elements: kept.map((text) => ({ type: 'mrkdwn', text: fitText(text, MAX_CONTEXT_TEXT) })),
  };
}

export interface ButtonInput {
  text: string;
  actionId: string;
  /** Must be at most 2000 characters: a cut value would be corrupt, so a longer one throws. */
  value?: string;
  style?: 'primary' | 'danger';
}

/** Whether `value` fits in a button (renderers check before building one). */
export function fitsButtonValue(value: string): boolean {
  return value.length <= MAX_BUTTON_VALUE;
}

/** A button: label at most 75 characters, action_id at most 255, value at most 2000 (else RangeError). */
export function button(input: ButtonInput): Button {
  if (input.value !== undefined && !fitsButtonValue(input.value)) {
    throw new RangeError(`button value is ${input.value.length} characters; Slack allows ${MAX_BUTTON_VALUE}`);
  }
  const result: Button = {
    type: 'button',
    text: {
      type: 'plain_text',
      text: nonEmpty(fitText(oneLine(input.text).trim(), MAX_BUTTON_TEXT), ELLIPSIS),
      emoji: true,
    },
    action_id: input.actionId.slice(0, MAX_ACTION_ID),
  };
  if (input.value !== undefined) result.value = input.value;
  if (input.style) result.style = input.style;
  return result;
}

/** An actions block of up to 25 buttons. */
export function actions(buttons: readonly Button[]): ActionsBlock {
  return { type: 'actions', elements: buttons.slice(0, MAX_ACTIONS_ELEMENTS) };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

const blockCost = (block: KnownBlock): number => JSON.stringify(block).length + 1;

/**
 * Builds blocks from `items` in order while at most `maxBlocks` blocks and `maxChars` of JSON
 * are used, building no more than that; `omitted` tells how many items did not fit.
 */
export function takeBlocks<T>(
  items: readonly T[],
  toBlock: (item: T, index: number) => KnownBlock,
  limits: { maxBlocks: number; maxChars: number },
): { blocks: KnownBlock[]; omitted: number } {
  const kept: KnownBlock[] = [];
  let used = 0;
  for (let i = 0; i < items.length && kept.length < limits.maxBlocks; i += 1) {
    const block = toBlock(items[i], i);
    const cost = blockCost(block);
    if (used + cost > limits.maxChars) break;
    kept.push(block);
    used += cost;
  }
  return { blocks: kept, omitted: items.length - kept.length };
}

/**
 * Finishes a message: fallback text cleaned and capped, at most 50 blocks, and the blocks JSON
 * within MESSAGE_JSON_BUDGET. Renderers already stay inside their budgets; this is the net
 * underneath, shortening the largest section (or dropping a block) until the message fits.
 */
export function buildMessage(text: string, blocks: readonly KnownBlock[]): SlackMessage {
  const fallback = nonEmpty(fitText(cleanText(text).trim(), MAX_FALLBACK_TEXT), 'Certificate bot message');
  let kept = [...blocks];
  if (kept.length > MAX_BLOCKS) {
    kept = [...kept.slice(0, MAX_BLOCKS - 1), context([`${moreLine(kept.length - (MAX_BLOCKS - 1))} blocks`])];
  }
  let total = JSON.stringify(kept).length;
  while (total > MESSAGE_JSON_BUDGET && kept.length > 0) {
    let largest = 0;
    for (let i = 1; i < kept.length; i += 1) if (blockCost(kept[i]) > blockCost(kept[largest])) largest = i;
    const block = kept[largest];
    if (block.type === 'section' && block.text && !block.fields && jsonCost(block.text.text) > 200) {
      kept[largest] = {
        ...block,
        text: { ...block.text, text: fitText(block.text.text, jsonCost(block.text.text) / 2) },
      };
    } else {
      kept.splice(largest, 1);
    }
    total = JSON.stringify(kept).length;
  }
  return { text: fallback, blocks: kept };
}
