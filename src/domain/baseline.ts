/**
 * The alert baseline: what a channel is told on the bot's first day instead of one alert per
 * certificate. Pure: counts come from the one state of each certificate (certificate-state.ts).
 */
import { countPhrase, type StateCounts, type CertificateState } from './certificate-state';
import { EXPIRING_SOON_DAYS } from './expiry';

/** One account's certificates in one channel, counted by state. */
export interface BaselineScope {
  account: string;
  /** The account is named ("in prod"); the single account made from the environment is not. */
  shownAccount?: string;
  counts: StateCounts;
}

/** The at-risk states a summary names, in the order it names them. */
const SUMMARY_STATES: readonly CertificateState[] = ['expired', 'expiring', 'stale'];

function phrase(state: CertificateState, count: number): string {
  const words = countPhrase(state, count);
  return state === 'expiring' ? `${words} within ${EXPIRING_SOON_DAYS} days` : words;
}

/** The `/cert-list` view that shows what the summary counts. */
export function baselineListCommand(counts: StateCounts): string | undefined {
  if (counts.expired + counts.expiring > 0) return '/cert-list expiring';
  if (counts.stale > 0) return '/cert-list stale';
  return undefined;
}

/**
 * "Now watching 480 certificates in prod: 39 expired, 21 expiring within 30 days, 29 stale
 * deployments — `/cert-list expiring`" (Slack mrkdwn; `code` for the command).
 */
export function baselineLine(scope: BaselineScope): string {
  const { counts } = scope;
  const watched = `Now watching ${counts.total} ${counts.total === 1 ? 'certificate' : 'certificates'}${
    scope.shownAccount ? ` in ${scope.shownAccount}` : ''
  }`;
  const parts = SUMMARY_STATES.filter((state) => counts[state] > 0).map((state) => phrase(state, counts[state]));
  const command = baselineListCommand(counts);
  if (parts.length === 0) return `${watched}: none expired, expiring within ${EXPIRING_SOON_DAYS} days or stale`;
  return `${watched}: ${parts.join(', ')}${command ? ` — \`${command}\`` : ''}`;
}
