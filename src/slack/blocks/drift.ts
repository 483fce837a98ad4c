import { compareVerdicts, countVerdicts, type EndpointVerdict } from '../../domain/probe-verdict';
import { formatNumber, formatUtc, plural } from '../../render/format';
import { describeVerdict, endpointLabel, verdictCountsLine } from '../../render/probe';
import { buildMessage, context, header, lineSections } from './builders';
import { EMOJI } from './emoji';
import { inlineText } from './escape';
import type { SlackMessage } from './types';

/** Most endpoints one /cert-list drift answer names. */
const MAX_LINES = 30;

/**
 * /cert-list drift: the endpoints whose last probe did not find the current CAS certificate
 * (every verdict but `ok`; `pending` endpoints are still being retried and are left out),
 * most urgent first. Pure.
 */
export function renderDriftList(
  verdicts: readonly EndpointVerdict[],
  input: { keyword?: string; probing: boolean },
): SlackMessage {
  if (!input.probing)
    return buildMessage('Endpoints are not probed: PROBE_INTERVAL_MINUTES is 0.', [
      header('Drift: what endpoints serve'),
      context([
        `${EMOJI.unknown} Endpoints are not probed: PROBE_INTERVAL_MINUTES is 0. \`cert-bot probe --all\` checks them once.`,
      ]),
    ]);
  if (verdicts.length === 0)
    return buildMessage('No probe pass has finished yet.', [
      header('Drift: what endpoints serve'),
      context([
        `${EMOJI.unknown} No probe pass has finished yet: endpoints are probed after the first inventory sync.`,
      ]),
    ]);
  const needle = input.keyword?.toLowerCase();
  const probed = needle ? verdicts.filter((v) => v.endpoint.host.includes(needle)) : verdicts;
  const drift = probed.filter((v) => v.verdict !== 'ok' && v.verdict !== 'pending').sort(compareVerdicts);
  const title = `${plural(drift.length, 'endpoint does', 'endpoints do')} not serve the current certificate`;
  const lines = drift.map(
    (v) => `• ${inlineText(endpointLabel(v.endpoint), 200)} — *${v.verdict}*: ${inlineText(describeVerdict(v), 400)}`,
  );
  const { blocks } = lineSections(lines, { maxChars: 2_900, maxLines: MAX_LINES, maxSections: 4 });
  const latest = Math.max(...probed.map((v) => v.checkedAt.getTime()), 0);
  const facts = `Of ${formatNumber(probed.length)} endpoints probed${needle ? ` matching ${inlineText(input.keyword, 100)}` : ''}${latest > 0 ? `, last checked ${formatUtc(new Date(latest))}` : ''}.`;
  return buildMessage(`${title}. ${facts}`, [
    header(drift.length === 0 ? 'Drift: every endpoint serves the current certificate' : `Drift: ${title}`),
    ...(drift.length === 0 ? [] : blocks),
    context([`${drift.length === 0 ? `${EMOJI.allClear} ` : ''}${facts}`, verdictCountsLine(countVerdicts(probed))]),
  ]);
}
