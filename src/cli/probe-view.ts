import {
  type EndpointVerdict,
  PROBE_FINDINGS,
  type ProbeFinding,
  type ServedCertificate,
  type ServedJudgement,
  VERDICTS,
} from '../domain/probe-verdict';
import { describeDaysLeft, formatNumber, plural } from '../render/format';
import { casName, describeChainProblem, describeVerdict, endpointLabel } from '../render/probe';

/** What `cert-bot probe` prints: details per named endpoint, a table for --all, exact JSON. Pure. */

/** `--fail-on old,expired`: the findings asked for, or what is wrong with the list. */
export function parseFailOn(text: string): ProbeFinding[] | string {
  const asked = text
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
  const unknown = asked.filter((item) => !(PROBE_FINDINGS as readonly string[]).includes(item));
  if (asked.length === 0 || unknown.length > 0)
    return `${unknown.length > 0 ? `"${unknown.join(', ')}" is not a verdict to fail on; ` : ''}use a comma-separated list of ${PROBE_FINDINGS.join(', ')}`;
  return [...new Set(asked)] as ProbeFinding[];
}

function certificateJson(certificate: ServedCertificate) {
  return certificate;
}

function servedJson(served: ServedJudgement) {
  const cas = served.match?.certificate;
  return {
    verdict: served.verdict,
    findings: served.findings,
    leaf: certificateJson(served.leaf),
    chain: served.chain.map(certificateJson),
    trusted: served.trusted,
    ...(served.trustError === undefined ? {} : { trustError: served.trustError }),
    ...(served.chainProblem
      ? { chainProblem: { ...served.chainProblem, description: describeChainProblem(served.chainProblem) } }
      : {}),
    daysLeft: served.daysLeft ?? null,
    cas: cas
      ? {
          account: cas.account,
          certificateId: cas.certificateId ?? cas.id,
          commonName: cas.commonName ?? null,
          endDate: cas.endDate ?? null,
          matchedOn: served.match?.by,
        }
      : null,
    renewedBy: served.replacement
      ? {
          account: served.replacement.account,
          certificateId: served.replacement.certificateId ?? served.replacement.id,
          endDate: served.replacement.endDate ?? null,
        }
      : null,
    address: served.address,
    handshakeMs: served.handshakeMs,
    ...(served.protocol === undefined ? {} : { protocol: served.protocol }),
    probedAt: served.at.toISOString(),
  };
}

/** One endpoint's verdict as exact JSON. */
export function verdictJson(verdict: EndpointVerdict) {
  return {
    endpoint: `${verdict.endpoint.host}:${verdict.endpoint.port}`,
    host: verdict.endpoint.host,
    port: verdict.endpoint.port,
    verdict: verdict.verdict,
    findings: verdict.findings,
    summary: describeVerdict(verdict),
    checkedAt: verdict.checkedAt.toISOString(),
    served: verdict.served ? servedJson(verdict.served) : null,
    ...(verdict.alternates ? { alternates: verdict.alternates.map(servedJson) } : {}),
    failure: verdict.failure ?? null,
  };
}

const colon = (hex: string) => hex.replace(/(..)(?!$)/g, '$1:');

function certificateLines(served: ServedJudgement, indent: string): string[] {
  const { leaf } = served;
  const rows: Array<[string, string]> = [
    ['Subject', leaf.subject],
    ['Issuer', leaf.issuer],
    ['Names', leaf.names.join(', ')],
    ['Valid', `${leaf.notBefore.slice(0, 10)} to ${leaf.notAfter.slice(0, 10)} (${describeDaysLeft(served.daysLeft)})`],
    ['Serial', leaf.serialNumber],
    ['SHA-256', colon(leaf.sha256)],
    ['SHA-1', colon(leaf.sha1)],
    ...served.chain.map((c, i): [string, string] => [
      i === 0 ? 'Chain' : '',
      `${c.commonName ?? c.subject}, until ${c.notAfter.slice(0, 10)}`,
    ]),
    ...(served.chain.length === 0 ? [['Chain', 'nothing after the leaf'] as [string, string]] : []),
    ['Trusted', served.trusted ? 'yes' : `no (${served.trustError ?? 'unknown reason'})`],
    [
      'In CAS',
      served.match
        ? `certificate ${casName(served.match.certificate)}, matched on ${served.match.by === 'sha256' ? 'SHA-256' : served.match.by === 'sha1' ? 'SHA-1' : 'serial number'}`
        : 'no: CAS holds no certificate with this fingerprint',
    ],
    ...(served.replacement
      ? [
          [
            'Renewed by',
            `${casName(served.replacement)}${served.replacement.endDate ? `, ends ${served.replacement.endDate}` : ''}`,
          ] as [string, string],
        ]
      : []),
    [
      'Handshake',
      `${served.address}, ${formatNumber(served.handshakeMs)} ms${served.protocol ? `, ${served.protocol}` : ''}`,
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`);
}

/** The details of one endpoint: its verdict, then what it served. */
export function verdictDetails(verdict: EndpointVerdict): string {
  const lines = [`${endpointLabel(verdict.endpoint)}  ${verdict.verdict.toUpperCase()}  ${describeVerdict(verdict)}`];
  if (verdict.alternates)
    verdict.alternates.forEach((alternate, i) => {
      lines.push(`  Certificate ${i + 1} of ${verdict.alternates?.length}: ${alternate.verdict}`);
      lines.push(...certificateLines(alternate, '    '));
    });
  else if (verdict.served) lines.push(...certificateLines(verdict.served, '  '));
  return lines.join('\n');
}

/** Every endpoint in a table, most urgent first, then the counts by verdict. */
export function verdictTable(verdicts: readonly EndpointVerdict[]): string {
  const headings = ['ENDPOINT', 'VERDICT', 'CAS', 'ENDS', 'DETAIL'];
  const rows = verdicts.map((v) => {
    const served = v.served;
    return [
      endpointLabel(v.endpoint),
      v.verdict,
      served?.match ? casName(served.match.certificate) : served ? '-' : '',
      served ? served.leaf.notAfter.slice(0, 10) : '',
      describeVerdict(v),
    ];
  });
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headings), ...rows.map(line)].join('\n');
}

/** "12 endpoints: 9 ok, 2 old, 1 unreachable". */
export function verdictCounts(verdicts: readonly EndpointVerdict[]): string {
  const counts = VERDICTS.map((kind) => [kind, verdicts.filter((v) => v.verdict === kind).length] as const).filter(
    ([, n]) => n > 0,
  );
  return `${plural(verdicts.length, 'endpoint')}${counts.length > 0 ? `: ${counts.map(([kind, n]) => `${formatNumber(n)} ${kind}`).join(', ')}` : ''}`;
}
