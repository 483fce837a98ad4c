import { EMOJI } from './emoji';
import { buildMessage, section } from './builders';
import type { SlackMessage } from './types';

/** A button whose value the bot cannot read: forged, cut, or from a message of an older version. */
export function renderStaleButton(): SlackMessage {
  return buildMessage('This button could not be used. Run the command again for a fresh message.', [
    section(
      `${EMOJI.warning} *This button could not be used:* it does not carry what the bot expects (the message may be from an older version of the bot). Nothing was changed; run the command again for a fresh message.`,
    ),
  ]);
}
