/**
 * Block Kit limits of a Home tab or modal view, written from the limits themselves
 * (docs.slack.dev/reference/block-kit; @slack/types JSDoc), independent of the builders:
 * throws, naming the place, at the first limit the view breaks.
 */
export const VIEW_LIMITS = {
  blocks: 100,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  textObject: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  id: 255,
  modalTitle: 24,
  /** Slack refuses views over 250 kB (view_too_large). */
  viewJson: 250_000,
} as const;

type Json = Record<string, unknown>;

function fail(path: string, problem: string): never {
  throw new Error(`view limit broken at ${path}: ${problem}`);
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkText(value: unknown, path: string, max: number, types = ['plain_text', 'mrkdwn']): void {
  if (!isObject(value)) fail(path, 'text object missing');
  if (!types.includes(String(value.type))) fail(path, `text type ${String(value.type)}`);
  if (typeof value.text !== 'string' || value.text.trim() === '') fail(path, 'text empty');
  if (value.text.length > max) fail(path, `text is ${value.text.length} characters, limit ${max}`);
}

function checkButton(element: unknown, path: string): void {
  if (!isObject(element) || element.type !== 'button') fail(path, 'not a button');
  checkText(element.text, `${path}.text`, VIEW_LIMITS.buttonText, ['plain_text']);
  if (typeof element.action_id !== 'string' || element.action_id.length > VIEW_LIMITS.id) fail(path, 'action_id');
  if (
    element.value !== undefined &&
    (typeof element.value !== 'string' || element.value.length > VIEW_LIMITS.buttonValue)
  )
    fail(`${path}.value`, 'value too long');
}

export function assertViewWithinLimits(
  view: { type: string; blocks: unknown[]; title?: unknown },
  maxJson?: number,
): void {
  if (view.type === 'modal') checkText(view.title, 'title', VIEW_LIMITS.modalTitle, ['plain_text']);
  if (!Array.isArray(view.blocks) || view.blocks.length === 0) fail('blocks', 'none');
  if (view.blocks.length > VIEW_LIMITS.blocks) fail('blocks', `${view.blocks.length} blocks, limit 100`);
  const json = JSON.stringify(view).length;
  if (json > (maxJson ?? VIEW_LIMITS.viewJson)) fail('view', `JSON is ${json} characters`);
  for (const [index, block] of view.blocks.entries()) {
    const path = `blocks[${index}]`;
    if (!isObject(block)) fail(path, 'not an object');
    switch (block.type) {
      case 'header':
        checkText(block.text, `${path}.text`, VIEW_LIMITS.headerText, ['plain_text']);
        break;
      case 'section':
        if (block.text === undefined && block.fields === undefined) fail(path, 'section without text or fields');
        if (block.text !== undefined) checkText(block.text, `${path}.text`, VIEW_LIMITS.sectionText);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length > VIEW_LIMITS.fields)
            fail(`${path}.fields`, 'fields');
          block.fields.forEach((f, i) => checkText(f, `${path}.fields[${i}]`, VIEW_LIMITS.fieldText));
        }
        if (block.accessory !== undefined) checkButton(block.accessory, `${path}.accessory`);
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0) fail(path, 'no elements');
        if (block.elements.length > VIEW_LIMITS.contextElements) fail(path, 'too many elements');
        block.elements.forEach((e, i) => checkText(e, `${path}.elements[${i}]`, VIEW_LIMITS.textObject));
        break;
      case 'actions':
        if (!Array.isArray(block.elements) || block.elements.length === 0) fail(path, 'no elements');
        if (block.elements.length > VIEW_LIMITS.actionsElements) fail(path, 'too many elements');
        block.elements.forEach((e, i) => checkButton(e, `${path}.elements[${i}]`));
        break;
      case 'divider':
        break;
      default:
        fail(path, `unexpected block type ${String(block.type)}`);
    }
  }
}
