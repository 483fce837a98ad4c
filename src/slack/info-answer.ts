import { certificateInfo, type InfoDeps, lookupCertificates } from '../inventory/certificate-info';
import type { ListedCertificate } from '../inventory/certificate-source';
import { renderCertificateInfo, renderInfoMatches, renderInfoUnknown } from './blocks/info';
import { context } from './blocks/builders';
import { inlineText } from './blocks/escape';
import { endpointsOf } from './blocks/served-at';
import type { SlackMessage } from './blocks/types';

/** The info of one certificate, with the inventory's age and how the last listing of deployments went. */
export async function certificateInfoMessage(
  info: InfoDeps,
  certificate: ListedCertificate,
  now: Date,
): Promise<SlackMessage> {
  const whole = await info.inventory.status(now);
  // With several accounts, the certificate's own account's sync and deployment listing.
  const snapshot = whole?.accounts?.[certificate.account] ?? whole;
  const error = snapshot?.deployments.error;
  const servedAt = info.probes && {
    enabled: info.probes.enabled,
    endpoints: endpointsOf(await info.probes.results.list(), certificate),
  };
  return renderCertificateInfo(await certificateInfo(info, certificate, now), {
    servedAt,
    now,
    syncedAt: snapshot?.syncedAt,
    resourcesAsOf: snapshot?.deployments.lastSuccess,
    resourcesError: error ? `${error.message}${error.ramAction ? ` (grant ${error.ramAction})` : ''}` : undefined,
  });
}

/**
 * The answer to `/cert-info <query>` (and `cert-bot info`): one certificate's info, the list of
 * certificates a domain matches, or what was searched when nothing matched.
 */
export async function certificateInfoAnswer(
  info: InfoDeps,
  query: string,
  now: Date,
  /** Only certificates of this account (`account:NAME`, `--account`). */
  account?: string,
): Promise<{ message: SlackMessage; found: boolean }> {
  const all = await lookupCertificates(info, query, now);
  const lookup = account === undefined ? all : { ...all, matches: all.matches.filter((c) => c.account === account) };
  if (lookup.matches.length === 0) return { message: renderInfoUnknown(lookup, now), found: false };
  if (lookup.matches.length > 1) return { message: renderInfoMatches(lookup, now), found: true };
  const message = await certificateInfoMessage(info, lookup.matches[0], now);
  if (lookup.query.kind !== 'resource') return { message, found: true };
  // Asked by resource: say first that this is the certificate it serves.
  const [head, ...rest] = message.blocks;
  const served = context([`Served on ${inlineText(lookup.query.text, 100)}`]);
  return { message: { ...message, blocks: [head, served, ...rest] }, found: true };
}
