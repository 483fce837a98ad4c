import { assertBlocksWithinLimits } from './limits-checker';

/**
 * The limits of a Home tab or modal view beyond those of every block (checked by the messages'
 * checker, test/helpers/limits-checker.ts); throws, naming the place, at the first one broken.
 */
export const VIEW_LIMITS = {
  blocks: 100,
  modalTitle: 24,
  /** Slack refuses views over 250 kB (view_too_large). */
  viewJson: 250_000,
} as const;

function fail(path: string, problem: string): never {
  throw new Error(`view limit broken at ${path}: ${problem}`);
}

/** A view's own limits (title, 100 blocks, its JSON), then each block's, as in messages. */
export function assertViewWithinLimits(
  view: { type: string; blocks: unknown[]; title?: unknown },
  maxJson?: number,
): void {
  if (view.type === 'modal') {
    const title = view.title as { type?: unknown; text?: unknown } | undefined;
    if (title?.type !== 'plain_text' || typeof title.text !== 'string' || title.text.trim() === '')
      fail('title', 'not a plain_text title');
    if (title.text.length > VIEW_LIMITS.modalTitle)
      fail('title', `text is ${title.text.length} characters, limit ${VIEW_LIMITS.modalTitle}`);
  }
  if (!Array.isArray(view.blocks) || view.blocks.length === 0) fail('blocks', 'none');
  if (view.blocks.length > VIEW_LIMITS.blocks) fail('blocks', `${view.blocks.length} blocks, limit 100`);
  const json = JSON.stringify(view).length;
  if (json > (maxJson ?? VIEW_LIMITS.viewJson)) fail('view', `JSON is ${json} characters`);
  assertBlocksWithinLimits(view.blocks, 'block');
}
