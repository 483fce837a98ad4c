/**
 * Which accounts a command covers: every configured one, or the one named by an `account:NAME`
 * word (Slack) or `--account NAME` (CLI). Names compare case-insensitively.
 */
export type AccountSelection = { accounts: string[]; named: boolean } | { unknown: string; known: string[] };

export function selectAccounts(known: readonly string[], name: string | undefined): AccountSelection {
  if (name === undefined) return { accounts: [...known], named: false };
  const wanted = name.trim().toLowerCase();
  const match = known.find((account) => account.toLowerCase() === wanted);
  return match === undefined ? { unknown: name.trim(), known: [...known] } : { accounts: [match], named: true };
}

/** The answer to an unknown account name: what was asked and the names there are. */
export function unknownAccountText(selection: { unknown: string; known: readonly string[] }): string {
  const asked = selection.unknown.slice(0, 64);
  return `There is no account "${asked}". Known accounts: ${selection.known.join(', ')}.`;
}

const ACCOUNT_WORD = /^account:(.*)$/i;

/** Takes an `account:NAME` word out of a command's words (the last one wins; `account:` alone names ""). */
export function takeAccountWord(words: readonly string[]): { account?: string; words: string[] } {
  let account: string | undefined;
  const rest: string[] = [];
  for (const word of words) {
    const match = ACCOUNT_WORD.exec(word);
    if (match) account = match[1];
    else rest.push(word);
  }
  return account === undefined ? { words: rest } : { account, words: rest };
}

/** Channels that get one digest, and the accounts that digest covers. */
export interface DigestGroup {
  channels: string[];
  accounts: string[];
}

/**
 * Who gets which digest: an account with its own `digestChannels` is reported there instead of
 * in DIGEST_CHANNEL; every channel gets one digest covering all the accounts sent to it, and
 * channels covering the same accounts share one build. Groups keep the order accounts and
 * channels were configured in.
 */
export function digestGroups(
  globalChannels: readonly string[],
  accounts: ReadonlyArray<{ name: string; digestChannels?: readonly string[] }>,
): DigestGroup[] {
  const byChannel = new Map<string, string[]>();
  const send = (channel: string, account: string) => {
    const list = byChannel.get(channel) ?? [];
    if (!list.includes(account)) list.push(account);
    byChannel.set(channel, list);
  };
  for (const channel of globalChannels)
    for (const account of accounts) if (!account.digestChannels?.length) send(channel, account.name);
  for (const account of accounts) for (const channel of account.digestChannels ?? []) send(channel, account.name);
  const groups: DigestGroup[] = [];
  for (const [channel, names] of byChannel) {
    const ordered = accounts.map((a) => a.name).filter((name) => names.includes(name));
    const same = groups.find((g) => g.accounts.join(',') === ordered.join(','));
    if (same) same.channels.push(channel);
    else groups.push({ channels: [channel], accounts: ordered });
  }
  return groups;
}

/** A command named an account that is not configured (bad input: the CLI exits 2). */
export class UnknownAccountError extends Error {
  constructor(readonly selection: { unknown: string; known: readonly string[] }) {
    super(unknownAccountText(selection));
    this.name = 'UnknownAccountError';
  }
}
