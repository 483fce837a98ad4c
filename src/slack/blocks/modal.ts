import type { ModalView } from '@slack/types';
import { MAX_HOME_BLOCKS } from './home';
import { fitText, oneLine } from './escape';
import type { SlackMessage } from './types';

/** A modal's title and close button take at most 24 characters. */
export const MAX_MODAL_TITLE = 24;

/**
 * An answer shown in a modal, for buttons pressed where there is no message to answer under
 * (App Home: no response_url, no channel). The message's blocks as they are (at most 50, within
 * a modal's 100), its fallback text unused.
 */
export function answerModal(message: SlackMessage, title = 'Cert Bot'): ModalView {
  const text = fitText(oneLine(title).trim(), MAX_MODAL_TITLE) || 'Cert Bot';
  return {
    type: 'modal',
    title: { type: 'plain_text', text, emoji: true },
    close: { type: 'plain_text', text: 'Close', emoji: true },
    blocks: message.blocks.slice(0, MAX_HOME_BLOCKS),
  };
}
