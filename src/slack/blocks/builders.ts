import { formatNumber } from '../../render/format';
import type {
  ActionsBlock,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  KnownBlock,
  SectionBlock,
} from '@slack/types';
import { ELLIPSIS, cleanText, escapeMrkdwnOnce, fitText, jsonCost, oneLine } from './escape';
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
  // The fallback is what notifications show, and Slack reads its `<!channel>` and `<@U…>` as
  // mentions: it is escaped here, at the edge, whatever the renderer put in it.
  const fallback = nonEmpty(
    fitText(escapeMrkdwnOnce(cleanText(text).trim()), MAX_FALLBACK_TEXT),
    'Certificate bot message',
  );
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
