import type { KnownBlock } from '@slack/types';
import { displayName } from '../../domain/certificate';
import { deploymentPhrase } from '../../domain/deployment';
import { daysLeft, urgency } from '../../domain/expiry';
import type { CertificateInfo, InfoLookup } from '../../inventory/certificate-info';
import type { ListedCertificate } from '../../inventory/certificate-source';
import { describeAge, describeDaysLeft, formatNumber, plural } from '../../render/format';
import { BUTTONS } from '../button-codecs';
import { buildMessage, button, context, fieldsSection, header, section, takeBlocks } from './builders';
import { EMOJI, URGENCY_EMOJI } from './emoji';
import { boldText, channelMention, codeSpan, inlineText, accountTag } from './escape';
import { alertStateLine, renewedLine, resourceLines } from './list';
import { servedAtText } from './served-at';
import type { SlackMessage } from './types';
import type { EndpointVerdict } from '../../domain/probe-verdict';
import { slackDateTime } from './dates';

function stateText(c: ListedCertificate, now: Date): string {
  if (c.deployment?.state === 'stale')
    return `${EMOJI.warning} *Stale deployment:* renewed, but the old certificate is still serving`;
  if (c.replacedBy) return `${EMOJI.good} Replaced: ${renewedLine(c.replacedBy)}`;
  const level = urgency(daysLeft(c.endDate, now), c.expired);
  return `${URGENCY_EMOJI[level]} ${level === 'expiring' ? 'Expiring' : level === 'expired' ? 'Expired' : level === 'valid' ? 'Valid' : 'End date unknown'}`;
}

function deploymentText(c: ListedCertificate, asOf: Date | undefined, now: Date): string {
  if (!c.deployment) return 'Deployment unknown: where certificates are deployed has not been listed yet.';
  const head = `*Deployed:* ${deploymentPhrase(c.deployment.state, c.deployment.resources.length)}${asOf ? ` (as of ${describeAge(asOf, now)})` : ''}`;
  return c.deployment.resources.length > 0 ? `${head}\n${resourceLines(c.deployment.resources)}` : head;
}

/** /cert-info for one certificate: names, dates, state, where it is deployed, its renewal and its alerts. */
export function renderCertificateInfo(
  info: CertificateInfo,
  input: {
    now: Date;
    syncedAt?: Date;
    resourcesAsOf?: Date;
    resourcesError?: string;
    /** Endpoints from the last probe pass (see served-at.ts); absent where probing is not wired. */
    servedAt?: { enabled: boolean; endpoints: EndpointVerdict[] };
  },
): SlackMessage {
  const c = info.certificate;
  const name = displayName(c) ?? c.id;
  const days = daysLeft(c.endDate, input.now);
  const blocks: KnownBlock[] = [header(`Certificate ${name}`)];
  blocks.push(
    section(`${accountTag(c.account)}${boldText(name, 150)} — ${describeDaysLeft(days)}\n${stateText(c, input.now)}`),
  );
  blocks.push(
    fieldsSection([
      `*Certificate ID*\n${codeSpan(c.certificateId ?? c.instanceId ?? c.id, 60)}`,
      `*Issuer*\n${inlineText(c.issuer, 200) || '–'}`,
      `*Valid*\n${inlineText(c.startDate, 10) || '?'} → ${inlineText(c.endDate, 10) || '?'}`,
      `*Serial*\n${codeSpan(c.serialNo, 80) || '–'}`,
      `*Fingerprint*\n${codeSpan(c.fingerprint, 100) || '–'}`,
      `*Names*\n${
        [c.commonName, ...c.sans.filter((s) => s !== c.commonName)]
          .filter(Boolean)
          .slice(0, 20)
          .map((n) => inlineText(n, 120))
          .join(', ') || '–'
      }`,
    ]),
  );
  const deployment = deploymentText(c, input.resourcesAsOf, input.now);
  blocks.push(
    section(
      input.resourcesError
        ? `${deployment}\n${EMOJI.warning} The last listing of deployments failed: ${inlineText(input.resourcesError, 300)}`
        : deployment,
    ),
  );
  if (input.servedAt) blocks.push(section(servedAtText(input.servedAt.endpoints, input.servedAt.enabled)));
  if (info.replacement) {
    const r = info.replacement;
    blocks.push(
      section(
        `*Replacement:* ${codeSpan(r.certificateId ?? r.id, 40)}, ends ${inlineText(r.endDate, 10) || '?'} — ${r.deployment ? deploymentPhrase(r.deployment.state, r.deployment.resources.length) : 'deployment unknown'}`,
      ),
    );
  }
  const alertLines = info.alerts.map(
    (a) =>
      `• ${a.stale ? 'stale deployment ' : ''}${a.threshold < 0 ? 'found' : a.threshold === 0 ? 'the expiry day' : `${formatNumber(a.threshold)}-day threshold`}${a.channel ? ` in ${channelMention(a.channel)}` : ''}${a.at ? ` at ${slackDateTime(a.at)}` : ''}`,
  );
  const state = alertStateLine({ ...c, alert: info.state });
  blocks.push(
    section(
      `*Alerts:* ${alertLines.length > 0 ? `\n${alertLines.slice(0, 10).join('\n')}` : 'none posted'}${state ? `\n${state}` : ''}`,
    ),
  );
  if (input.syncedAt) blocks.push(context([`From the inventory, synced ${describeAge(input.syncedAt, input.now)}`]));
  return buildMessage(
    `${name}: ${describeDaysLeft(days)}; ${c.deployment ? deploymentPhrase(c.deployment.state, c.deployment.resources.length) : 'deployment unknown'}.`,
    blocks,
  );
}

/** A domain matched several certificates: one line each, with a button that shows its info. */
export function renderInfoMatches(lookup: InfoLookup, now: Date): SlackMessage {
  const title =
    lookup.query.kind === 'resource'
      ? `${plural(lookup.matches.length, 'certificate is', 'certificates are')} on ${inlineText(lookup.query.text, 100)}`
      : `${plural(lookup.matches.length, 'certificate covers', 'certificates cover')} ${inlineText(lookup.query.text, 100)}`;
  const fitted = takeBlocks(
    lookup.matches,
    (c) => {
      const value = BUTTONS.certInfo.encode({ account: c.account, id: c.id });
      return section(
        `${accountTag(c.account)}${boldText(displayName(c), 100) || inlineText(c.id, 60)} ${codeSpan(c.certificateId ?? c.id, 40)} — ${describeDaysLeft(daysLeft(c.endDate, now))}${c.replacedBy ? ` · ${renewedLine(c.replacedBy)}` : ''}${c.deployment ? ` · ${deploymentPhrase(c.deployment.state, c.deployment.resources.length)}` : ''}`,
        button({ text: 'Info', actionId: BUTTONS.certInfo.actionId, value }),
      );
    },
    { maxBlocks: 40, maxChars: 9_000 },
  );
  const blocks: KnownBlock[] = [header(title), ...fitted.blocks];
  if (fitted.omitted > 0) blocks.push(context([`…and ${formatNumber(fitted.omitted)} more`]));
  return buildMessage(`${title}.`, blocks);
}

/** Nothing found: what was searched, and how old the inventory is. */
export function renderInfoUnknown(lookup: InfoLookup, now: Date): SlackMessage {
  const what =
    lookup.query.kind === 'id'
      ? `with ID ${codeSpan(lookup.query.text, 40)}`
      : `covering ${inlineText(lookup.query.text, 120)}`;
  const age = lookup.status
    ? `The inventory was synced ${describeAge(lookup.status.syncedAt, now)}.`
    : 'No inventory sync has finished yet.';
  return buildMessage(
    `No certificate ${lookup.query.kind === 'id' ? `with ID ${lookup.query.text}` : `covering ${lookup.query.text}`} in the inventory. ${age}`,
    [
      section(`${EMOJI.unknown} No certificate ${what} in the inventory. ${age}`),
      context([
        'Search by certificate ID (digits), by a resource it is deployed on (instance or listener ID, `lb-…`) or by a domain; wildcard certificates count for the names they cover.',
      ]),
    ],
  );
}
