import type { KnownBlock } from '@slack/types';
import type { CertificateStatus } from '../../cas/types';
import { parseTime } from '../../domain/expiry';
import type { InvalidSerial } from '../../domain/serials';
import { formatNumber, plural } from '../../render/format';
import { EMOJI } from './emoji';
import { buildMessage, context, cutLines, header, lineSections, section } from './builders';
import { failuresSection } from './accounts';
import { accountTag, codeSpan, inlineText } from './escape';
import type { AccountFailure } from '../../accounts/account-failure';
import type { SlackMessage } from './types';
import { slackDateTime } from './dates';

export interface StatusResultsInput {
  /** With several accounts, each known serial carries the account that answered for it. */
  results: Array<CertificateStatus & { account?: string }>;
  /** Accounts that could not be asked (the others' answers are shown). */
  failures?: AccountFailure[];
  /** Tokens that were not looked up, with why (from parseSerials). */
  invalid: InvalidSerial[];
  now: Date;
}

type StatusGroup = 'revoked' | 'other' | 'unknown' | 'good';

function groupOf(status: unknown): StatusGroup {
  const value = typeof status === 'string' ? status.trim().toLowerCase() : '';
  if (value === 'good' || value === 'revoked' || value === 'unknown') return value;
  return 'other';
}

/** Most important first, so a cut list never hides a revoked certificate behind good ones. */
const GROUP_ORDER: StatusGroup[] = ['revoked', 'other', 'unknown', 'good'];

function serialText(serial: unknown): string {
  return codeSpan(typeof serial === 'string' ? serial : undefined, 80) || '_(no serial number)_';
}

function resultLine(result: CertificateStatus & { account?: string }, group: StatusGroup): string {
  const serial = `${accountTag(result.account)}${serialText(result.SerialNumber)}`;
  switch (group) {
    case 'good':
      return `${EMOJI.good} ${serial} good`;
    case 'unknown':
      return `${EMOJI.unknown} ${serial} unknown: the CA cannot tell`;
    case 'revoked': {
      const raw = result.RevokeTime;
      let when = '';
      if (parseTime(raw) !== undefined && raw !== undefined) when = ` on ${slackDateTime(raw)}`;
      else if (typeof raw === 'string' && raw.trim() !== '') when = ` (revocation time: ${inlineText(raw, 40)})`;
      return `${EMOJI.revoked} ${serial} *revoked*${when}`;
    }
    case 'other': {
      const status = typeof result.Status === 'string' ? inlineText(result.Status, 40) : '';
      return `${EMOJI.unknown} ${serial} ${status || '_(no status)_'}`;
    }
  }
}

/** One line per reason, listing its tokens: "`xyz`, `G1` — not hexadecimal (…)". */
function invalidLines(invalid: InvalidSerial[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const entry of invalid) {
    const reason = inlineText(entry?.reason, 120) || 'not a serial number';
    const token = codeSpan(typeof entry?.token === 'string' ? entry.token : '', 40) || '_(empty)_';
    const tokens = byReason.get(reason);
    if (tokens) tokens.push(token);
    else byReason.set(reason, [token]);
  }
  return [...byReason].map(([reason, tokens]) => {
    const { lines } = cutLines(tokens, { maxChars: 400, maxLines: 8 });
    return `${lines.join(', ')} — ${reason}`;
  });
}

/** The /cert-status answer: one line per serial, then what was not looked up and why. */
export function renderStatusResults(input: StatusResultsInput): SlackMessage {
  const results = Array.isArray(input.results) ? input.results : [];
  const invalid = Array.isArray(input.invalid) ? input.invalid : [];

  const groups = new Map<StatusGroup, CertificateStatus[]>(GROUP_ORDER.map((group) => [group, []]));
  for (const result of results) groups.get(groupOf(result?.Status))?.push(result);
  const counts = (group: StatusGroup) => groups.get(group)?.length ?? 0;

  const summaryParts: Array<[StatusGroup, string, string]> = [
    ['good', EMOJI.good, 'good'],
    ['revoked', EMOJI.revoked, 'revoked'],
    ['unknown', EMOJI.unknown, 'unknown'],
    ['other', EMOJI.unknown, 'other status'],
  ];
  const present = summaryParts.filter(([group]) => counts(group) > 0);
  const certificates = plural(results.length, 'certificate');
  const notLookedUp = invalid.length > 0 ? `${plural(invalid.length, 'input')} not looked up.` : '';

  let text: string;
  if (results.length === 0 && invalid.length === 0) text = 'No serial numbers to check.';
  else if (results.length === 0) text = `No certificates checked: ${notLookedUp}`;
  else
    text = `${certificates}: ${present.map(([group, , label]) => `${formatNumber(counts(group))} ${label}`).join(', ')}.${
      notLookedUp ? ` ${notLookedUp}` : ''
    }`;

  const blocks: KnownBlock[] = [header('Certificate status')];
  if (results.length === 0 && invalid.length === 0) {
    blocks.push(section(`${EMOJI.unknown} No serial numbers to check.`));
  } else if (results.length > 0) {
    const summary = present
      .map(([group, emoji, label]) => `${emoji} ${formatNumber(counts(group))} ${label}`)
      .join('  ·  ');
    blocks.push(section(`*${certificates}:*  ${summary}`));
    const lines = GROUP_ORDER.flatMap((group) => (groups.get(group) ?? []).map((result) => resultLine(result, group)));
    // Three sections: 50 revoked serials, each with its date token, need more than two.
    blocks.push(...lineSections(lines, { maxChars: 2900, maxLines: 60, maxSections: 3 }).blocks);
  }
  if (invalid.length > 0) {
    const { lines: kept } = cutLines(invalidLines(invalid), { maxChars: 1800, maxLines: 20 });
    blocks.push(section(`${EMOJI.warning} *Not looked up (${formatNumber(invalid.length)})*\n${kept.join('\n')}`));
  }
  const failures = input.failures ?? [];
  if (failures.length > 0) blocks.push(failuresSection(failures));
  blocks.push(context([`Checked ${slackDateTime(input.now)}`]));
  const failed = failures.length > 0 ? ` Could not ask ${failures.map((f) => f.account).join(', ')}.` : '';
  return buildMessage(`${text}${failed}`, blocks);
}
