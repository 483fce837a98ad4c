import type { KnownBlock } from '@slack/types';
import type { EndpointVerdict, ServedCertificate, Verdict } from '../../domain/probe-verdict';
import { formatUtc } from '../../render/format';
import { casName, describeVerdict, endpointLabel } from '../../render/probe';
import { buildMessage, context, fieldsSection, section } from './builders';
import { EMOJI } from './emoji';
import { boldText, codeSpan, inlineText } from './escape';
import type { SlackMessage } from './types';

/** /cert-probe's answer: what one endpoint serves now, the chain, and the CAS certificate it is. Pure. */

const VERDICT_EMOJI: Record<Verdict, string> = {
  ok: EMOJI.good,
  old: EMOJI.warning,
  unmanaged: EMOJI.warning,
  expired: EMOJI.expired,
  expiring: EMOJI.warning,
  'name-mismatch': EMOJI.expired,
  chain: EMOJI.warning,
  unreachable: EMOJI.expired,
  alternating: EMOJI.warning,
  pending: EMOJI.warning,
};

const colon = (hex: string) => hex.replace(/(..)(?!$)/g, '$1:');
const day = (iso: string) => iso.slice(0, 10);

function chainLine(certificate: ServedCertificate): string {
  return `${inlineText(certificate.commonName ?? certificate.subject, 120)}, until ${day(certificate.notAfter)}`;
}

export function renderProbeAnswer(verdict: EndpointVerdict): SlackMessage {
  const label = endpointLabel(verdict.endpoint);
  const summary = describeVerdict(verdict);
  const blocks: KnownBlock[] = [
    section(
      `${VERDICT_EMOJI[verdict.verdict]} ${boldText(label, 260)} — *${verdict.verdict}*\n${inlineText(summary, 1_500)}`,
    ),
  ];
  const served = verdict.served;
  if (served) {
    const { leaf } = served;
    blocks.push(
      fieldsSection([
        `*Names*\n${inlineText(leaf.names.slice(0, 10).join(', '), 600) || '–'}`,
        `*Valid*\n${day(leaf.notBefore)} → ${day(leaf.notAfter)}`,
        `*Issuer*\n${inlineText(leaf.issuerCommonName ?? leaf.issuer, 200)}`,
        `*Serial*\n${codeSpan(leaf.serialNumber, 80)}`,
        `*SHA-256*\n${codeSpan(colon(leaf.sha256), 120)}`,
        `*In CAS*\n${served.match ? `${inlineText(casName(served.match.certificate), 120)} (matched by ${served.match.by})` : 'not a certificate CAS holds'}`,
      ]),
    );
    const chain = [leaf, ...served.chain].map((c, i) => `${i === 0 ? 'Leaf' : `${i}.`} ${chainLine(c)}`);
    blocks.push(section(`*Chain served*${served.trusted ? '' : ' (not trusted)'}\n${chain.slice(0, 8).join('\n')}`));
  }
  const facts = [`Checked ${formatUtc(verdict.checkedAt)}`];
  if (served) facts.push(`${served.address}, handshake ${Math.round(served.handshakeMs)} ms`);
  blocks.push(context([facts.map((f) => inlineText(f, 200)).join(' · ')]));
  return buildMessage(`${label}: ${verdict.verdict}. ${summary}`.slice(0, 900), blocks);
}
