import { takeAccountWord } from '../domain/account-selection';

/** The words of a slash command's text, with the options every command shares taken out. */
export interface CommandArgs {
  words: string[];
  /** The NAME of an `account:NAME` word, when one was given. */
  account?: string;
  /** `public`: answer in the channel instead of only to the person. */
  inChannel: boolean;
  help: boolean;
}

/** Longest command text we look at; Slack sets no limit, so a pasted novel is cut here. */
export const MAX_COMMAND_TEXT = 4_000;

export function parseCommandArgs(text: string | undefined): CommandArgs {
  const words = (text ?? '')
    .slice(0, MAX_COMMAND_TEXT)
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const lower = (w: string) => w.toLowerCase();
  const { account, words: rest } = takeAccountWord(words.filter((w) => lower(w) !== 'public'));
  return {
    words: rest,
    ...(account !== undefined ? { account } : {}),
    inChannel: words.some((w) => lower(w) === 'public'),
    help: words.length > 0 && ['help', '-h', '--help'].includes(lower(words[0])),
  };
}

export function responseType(args: Pick<CommandArgs, 'inChannel'>): 'in_channel' | 'ephemeral' {
  return args.inChannel ? 'in_channel' : 'ephemeral';
}
