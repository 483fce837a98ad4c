import type { SlackMessage } from '../../src/slack/blocks/types';

/**
 * One checker for every renderer: walks each block and throws, naming the place, at the first
 * Block Kit limit a message breaks (docs.slack.dev/reference/block-kit; @slack/types JSDoc).
 * Written from the limits themselves, independent of the builders in src/slack/blocks/builders.ts.
 */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  textObject: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  id: 255,
  blocksJson: 12_000,
  fallbackText: 40_000,
} as const;

type Json = Record<string, unknown>;

function fail(path: string, problem: string): never {
  throw new Error(`Block Kit limit broken at ${path}: ${problem}`);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkText(value: unknown, path: string, max: number, types: string[] = ['plain_text', 'mrkdwn']): void {
  if (!isObject(value)) fail(path, 'text object missing');
  if (!types.includes(String(value.type))) fail(path, `text type ${String(value.type)} not in ${types.join('/')}`);
  const text = value.text;
  if (typeof text !== 'string') fail(path, 'text is not a string');
  if (text.trim().length === 0) fail(path, 'text is empty');
  if (text.length > max) fail(path, `text is ${text.length} characters, limit ${max}`);
}

function checkId(value: unknown, path: string, ids: Set<string>): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length === 0) fail(path, 'id is not a non-empty string');
  if (value.length > SLACK_LIMITS.id) fail(path, `id is ${value.length} characters, limit ${SLACK_LIMITS.id}`);
  if (ids.has(value)) fail(path, `id ${value} is used twice`);
  ids.add(value);
}

function checkElement(element: unknown, path: string, actionIds: Set<string>): void {
  if (!isObject(element)) fail(path, 'element is not an object');
  if (element.type !== 'button') fail(path, `unexpected element type ${String(element.type)}`);
  checkText(element.text, `${path}.text`, SLACK_LIMITS.buttonText, ['plain_text']);
  if (typeof element.action_id !== 'string') fail(path, 'button without action_id');
  checkId(element.action_id, `${path}.action_id`, actionIds);
  if (element.value !== undefined) {
    if (typeof element.value !== 'string') fail(`${path}.value`, 'value is not a string');
    if (element.value.length > SLACK_LIMITS.buttonValue)
      fail(`${path}.value`, `value is ${element.value.length} characters, limit ${SLACK_LIMITS.buttonValue}`);
  }
  if (typeof element.url === 'string' && element.url.length > SLACK_LIMITS.buttonUrl)
    fail(`${path}.url`, 'url too long');
  if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger')
    fail(`${path}.style`, `style ${String(element.style)}`);
}

export function assertWithinBlockKitLimits(message: SlackMessage): void {
  if (typeof message.text !== 'string' || message.text.trim().length === 0) fail('text', 'fallback text is empty');
  if (message.text.length > SLACK_LIMITS.fallbackText) fail('text', 'fallback text too long');
  if (!Array.isArray(message.blocks)) fail('blocks', 'not an array');
  if (message.blocks.length > SLACK_LIMITS.blocks) fail('blocks', `${message.blocks.length} blocks, limit 50`);
  const json = JSON.stringify(message.blocks).length;
  if (json >= SLACK_LIMITS.blocksJson)
    fail('blocks', `blocks JSON is ${json} characters, limit ${SLACK_LIMITS.blocksJson}`);
  assertBlocksWithinLimits(message.blocks, 'surface');
}

/**
 * The limits of each block, the same in messages and views. action_ids must be unique across
 * the whole `surface` (messages, as held here) or within each `block` (views: a Home tab lists
 * several certificates, each with the same Info button).
 */
export function assertBlocksWithinLimits(blocks: readonly unknown[], actionIdScope: 'surface' | 'block'): void {
  const blockIds = new Set<string>();
  const surfaceActionIds = new Set<string>();
  for (const [index, raw] of blocks.entries()) {
    const path = `blocks[${index}]`;
    const block: unknown = raw;
    if (!isObject(block)) fail(path, 'block is not an object');
    checkId(block.block_id, `${path}.block_id`, blockIds);
    const actionIds = actionIdScope === 'surface' ? surfaceActionIds : new Set<string>();
    switch (block.type) {
      case 'header':
        checkText(block.text, `${path}.text`, SLACK_LIMITS.headerText, ['plain_text']);
        break;
      case 'section': {
        if (block.text === undefined && block.fields === undefined) fail(path, 'section without text or fields');
        if (block.text !== undefined) checkText(block.text, `${path}.text`, SLACK_LIMITS.sectionText);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length === 0) fail(`${path}.fields`, 'fields empty');
          if (block.fields.length > SLACK_LIMITS.fields)
            fail(`${path}.fields`, `${block.fields.length} fields, limit ${SLACK_LIMITS.fields}`);
          for (const [i, field] of block.fields.entries())
            checkText(field, `${path}.fields[${i}]`, SLACK_LIMITS.fieldText);
        }
        if (block.accessory !== undefined) checkElement(block.accessory, `${path}.accessory`, actionIds);
        break;
      }
      case 'context': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0) fail(`${path}.elements`, 'no elements');
        if (elements.length > SLACK_LIMITS.contextElements)
          fail(`${path}.elements`, `${elements.length} elements, limit ${SLACK_LIMITS.contextElements}`);
        for (const [i, element] of elements.entries())
          checkText(element, `${path}.elements[${i}]`, SLACK_LIMITS.textObject);
        break;
      }
      case 'actions': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0) fail(`${path}.elements`, 'no elements');
        if (elements.length > SLACK_LIMITS.actionsElements)
          fail(`${path}.elements`, `${elements.length} elements, limit ${SLACK_LIMITS.actionsElements}`);
        for (const [i, element] of elements.entries()) checkElement(element, `${path}.elements[${i}]`, actionIds);
        break;
      }
      case 'divider':
        break;
      default:
        fail(path, `unexpected block type ${String(block.type)}`);
    }
  }
}
