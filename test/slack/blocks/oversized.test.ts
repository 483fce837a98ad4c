import { CasError } from '../../../src/cas/errors';
import type { CertificateOrder, CertificateStatus } from '../../../src/cas/types';
import { type Certificate, certificateFromOrder } from '../../../src/domain/certificate';
import { sortByDaysLeft } from '../../../src/domain/expiry';
import { parseSerials } from '../../../src/domain/serials';
import { renderForTerminal } from '../../../src/render/terminal';
import {
  renderAssignAlreadyDecided,
  renderAssignCancelled,
  renderAssignConfirmation,
  renderAssignDone,
  renderAssignNotYours,
  renderAssignRefused,
  renderAssignUnavailable,
} from '../../../src/slack/blocks/assign';
import { renderDigest, renderDigestFailure } from '../../../src/slack/blocks/digest';
import { renderCasError, renderUsage } from '../../../src/slack/blocks/errors';
import { MAX_FALLBACK_TEXT } from '../../../src/slack/blocks/builders';
import { renderCertificateInfo, renderInfoMatches, renderInfoUnknown } from '../../../src/slack/blocks/info';
import { renderDriftList } from '../../../src/slack/blocks/drift';
import { renderCertificateList } from '../../../src/slack/blocks/list';
import { renderRiskSummary } from '../../../src/slack/blocks/risk';
import { renderStatusResults } from '../../../src/slack/blocks/status';
import type { SlackMessage } from '../../../src/slack/blocks/types';
import { ACCOUNT, allText, assets, mrkdwnText, NOW, nasty, risk, ZERO_RISK } from '../../helpers/block-fixtures';
import { assertWithinBlockKitLimits } from '../../helpers/limits-checker';

const HUGE = Number.MAX_SAFE_INTEGER;
const longName = (i: number) => `${i}-${nasty(2000)}`;

/** Hostile CAS rows, turned into the model the way the bot does it. */
const rows: CertificateOrder[] = Array.from({ length: 10_000 }, (_, i) => ({
  CertificateId: HUGE - i,
  InstanceId: nasty(500),
  CommonName: longName(i),
  Name: nasty(2000),
  Sans: nasty(2000),
  Issuer: nasty(2000),
  SerialNo: nasty(500),
  EndDate: i % 3 === 0 ? '2025-03-01' : i % 3 === 1 ? nasty(30) : '9999-12-31',
  Expired: i % 2 === 0,
  Upload: true,
}));
const certificates: Certificate[] = rows.map((row) => certificateFromOrder(row, ACCOUNT));

/** Model values certificateFromOrder never makes (blank names, non-digit IDs, huge SAN lists), straight to the renderers. */
const oddCertificates: Certificate[] = Array.from({ length: 5_000 }, (_, i) => ({
  account: nasty(500),
  id: nasty(500),
  certificateId: i % 2 === 0 ? nasty(500) : '9'.repeat(5000),
  instanceId: i % 3 === 0 ? '' : nasty(500),
  name: i % 4 === 0 ? '   ' : nasty(2000),
  commonName: i % 5 === 0 ? '' : `*${nasty(2000)}`,
  sans: Array.from({ length: 100 }, () => nasty(100)),
  issuer: nasty(2000),
  serialNo: nasty(500),
  endDate: ['2025-03-01', nasty(30), '', '9999-12-31', '2025-02-30'][i % 5],
  expired: i % 2 === 1,
  uploaded: i % 7 === 0,
  status: nasty(100),
}));

const serialInput = Array.from({ length: 5_000 }, (_, i) =>
  i % 4 === 0 ? nasty(2000) : i.toString(16).padStart(64, 'f'),
).join(' ');

const statuses: CertificateStatus[] = Array.from({ length: 5_000 }, (_, i) => ({
  SerialNumber: i % 2 === 0 ? nasty(2000) : 'F'.repeat(64),
  Status: ['good', 'revoked', 'unknown', nasty(2000)][i % 4],
  RevokeTime: i % 8 === 1 ? nasty(500) : HUGE,
}));

const hugeRisk = risk({
  ...Object.fromEntries(Object.keys(ZERO_RISK).map((key) => [key, HUGE])),
  RequestId: nasty(5000),
});
const hugeAssets = assets({
  RequestId: nasty(5000),
  Point: 1e300,
  LastPoint: -1e300,
  PointTime: HUGE,
  BuyCertificateCount: HUGE,
  FreeCertificateCount: HUGE,
  UploadCertificateCount: HUGE,
  AliyunAssetCount: HUGE,
  TencentAssetCount: HUGE,
  HuaweiAssetCount: HUGE,
  AwsAssetCount: HUGE,
  DomainAssetCount: HUGE,
});

const hugeError = new CasError({
  kind: 'auth',
  operation: nasty(5000),
  code: nasty(5000),
  message: nasty(5000),
  hint: nasty(5000),
  requestId: nasty(5000),
  ramAction: nasty(5000),
});

const plainError = Object.assign(new Error(nasty(5000)), { stack: nasty(5000) });
const keyword = nasty(2000);

const digestPeriod = {
  key: '2025-03-10T09:00:00.000Z',
  start: new Date('2025-03-10T09:00:00Z'),
  end: new Date('2025-03-17T09:00:00Z'),
};
const hugePrevious = {
  period: '2025-03-03T09:00:00.000Z',
  takenAt: NOW,
  point: -1e300,
  risks: { expired: 0, expiring: HUGE, notDeployed: HUGE, unmonitoredDomains: 1 },
  totalRisk: 1,
};

const cases: Array<[string, () => SlackMessage]> = [
  [
    'digest, 10,000 expiring and 10,000 expired certificates',
    () =>
      renderDigest({
        period: digestPeriod,
        now: NOW,
        risk: hugeRisk,
        assets: hugeAssets,
        previous: hugePrevious,
        expiring: certificates,
        expired: certificates,
      }),
  ],
  [
    'digest, 5,000 odd model values in each list',
    () =>
      renderDigest({
        period: digestPeriod,
        now: NOW,
        risk: hugeRisk,
        assets: hugeAssets,
        expiring: sortByDaysLeft(oddCertificates, NOW),
        expired: oddCertificates,
      }),
  ],
  [
    'digest, all clear with huge assets',
    () =>
      renderDigest({
        period: digestPeriod,
        now: NOW,
        risk: ZERO_RISK,
        assets: hugeAssets,
        previous: hugePrevious,
        expiring: [],
        expired: [],
      }),
  ],
  ['digest failure notice', () => renderDigestFailure({ period: digestPeriod, reason: nasty(5000), now: NOW })],
  ['risk summary, huge counts', () => renderRiskSummary({ risk: hugeRisk, assets: hugeAssets, now: NOW })],
  [
    'risk summary, all clear with huge assets',
    () => renderRiskSummary({ risk: { ...ZERO_RISK, RequestId: nasty(5000) }, assets: hugeAssets, now: NOW }),
  ],
  [
    'status, 5,000 results and 5,000 invalid',
    () => {
      const parsed = parseSerials(serialInput);
      return renderStatusResults({
        results: statuses,
        invalid: [
          ...parsed.invalid,
          ...Array.from({ length: 5000 }, () => ({ token: nasty(2000), reason: nasty(2000) })),
        ],
        now: NOW,
      });
    },
  ],
  [
    'status, parsed 5,000 serials',
    () => renderStatusResults({ results: [], invalid: parseSerials(serialInput).invalid, now: NOW }),
  ],
  ...(['expiring', 'expired', 'issued', 'uploaded', 'all'] as const).map((status): [string, () => SlackMessage] => [
    `list ${status}, 10,000 certificates on one page`,
    () =>
      renderCertificateList({
        filter: { status, keyword },
        page: 3,
        pageSize: 10_000,
        total: HUGE,
        items: sortByDaysLeft(certificates, NOW),
        now: NOW,
      }),
  ]),
  [
    'list, short keyword so paging stays on',
    () =>
      renderCertificateList({
        filter: { status: 'all', keyword: 'x' },
        page: 2,
        pageSize: 10,
        total: HUGE,
        items: certificates,
        now: NOW,
      }),
  ],
  [
    'list, 5,000 odd model values and holes on one page',
    () =>
      renderCertificateList({
        filter: { status: 'all', keyword: 'x' },
        page: 0,
        pageSize: 10_000,
        total: HUGE,
        items: [
          undefined as unknown as Certificate,
          ...sortByDaysLeft(oddCertificates, NOW),
          null as unknown as Certificate,
        ],
        now: NOW,
      }),
  ],
  [
    'list, empty with a huge keyword',
    () =>
      renderCertificateList({
        filter: { status: 'expiring', keyword },
        page: HUGE,
        pageSize: HUGE,
        total: 0,
        items: [],
        now: NOW,
      }),
  ],
  [
    'assign confirmation',
    () =>
      renderAssignConfirmation({
        dataSourceId: String(HUGE),
        count: HUGE,
        adminId: nasty(5000),
        nonce: 'N'.repeat(64),
        expiresAt: new Date(8.64e15),
      }),
  ],
  [
    'assign confirmation, hostile data source ID and unreadable expiry',
    () =>
      renderAssignConfirmation({
        dataSourceId: nasty(5000),
        count: HUGE,
        adminId: nasty(5000),
        nonce: 'N'.repeat(64),
        expiresAt: new Date(Number.NaN),
      }),
  ],
  [
    'assign done',
    () =>
      renderAssignDone({
        dataSourceId: '9'.repeat(20),
        count: HUGE,
        adminId: nasty(5000),
        result: { RequestId: nasty(5000), CertCount: HUGE, CurrentYearFreeCertCount: HUGE },
      }),
  ],
  [
    'assign cancelled',
    () => renderAssignCancelled({ dataSourceId: '9'.repeat(5000), count: HUGE, adminId: nasty(5000) }),
  ],
  [
    'assign refused',
    () => renderAssignRefused({ userId: nasty(5000), admins: Array.from({ length: 500 }, () => nasty(5000)) }),
  ],
  ['assign not yours', () => renderAssignNotYours({ adminId: nasty(5000) })],
  ['assign unavailable', () => renderAssignUnavailable({ reason: 'invalid', detail: nasty(5000) })],
  ['assign already decided', () => renderAssignAlreadyDecided({ status: nasty(5000) })],
  ['CAS error with 5,000-character fields', () => renderCasError(hugeError, nasty(5000))],
  ['other error with a 5,000-character message', () => renderCasError(plainError, nasty(5000))],
  ...certificates.slice(0, 3).map((certificate, i): [string, () => SlackMessage] => [
    `certificate info of a hostile certificate (${i})`,
    () =>
      renderCertificateInfo(
        {
          certificate: { ...certificate, deployment: { state: 'stale', resources: [] } },
          alerts: [{ threshold: 7, channel: nasty(100) }],
        },
        { now: NOW, resourcesError: nasty(5000) },
      ),
  ]),
  [
    'certificate info, nothing found',
    () => renderInfoUnknown({ query: { kind: 'domain', text: nasty(5000) }, matches: [] }, NOW),
  ],
  ['drift list with a hostile keyword', () => renderDriftList([], { keyword: nasty(5000), probing: true })],
  ...(['/cert-risk', '/cert-status', '/cert-list', '/cert-assign', '/cert-info', '/cert-probe'] as const).map(
    (command): [string, () => SlackMessage] => [`usage ${command}`, () => renderUsage(command, nasty(5000))],
  ),
];

describe('every renderer stays inside Block Kit limits for oversized input', () => {
  it.each(cases)('%s', (_name, render) => {
    const message = render();
    assertWithinBlockKitLimits(message);
    expect(message.text.length).toBeLessThanOrEqual(MAX_FALLBACK_TEXT);
    expect(JSON.stringify(message).length).toBeLessThan(12_000);
    // Untrusted text never becomes a mention, link or special command (plain_text is never parsed).
    expect(mrkdwnText(message)).not.toMatch(/<!channel>|<@U1>/);
    expect(message.text).not.toMatch(/<!channel>|<@U1>/);
    expect(() => renderForTerminal(message, { width: 80 })).not.toThrow();
  });

  it('certificate info matches: hostile names never become mentions', () => {
    const message = renderInfoMatches({ query: { kind: 'domain', text: nasty(5000) }, matches: oddCertificates }, NOW);
    expect(message.text.length).toBeLessThanOrEqual(MAX_FALLBACK_TEXT);
    expect(mrkdwnText(message)).not.toMatch(/<!channel>|<@U1>/);
    expect(message.text).not.toMatch(/<!channel>|<@U1>/);
  });

  it('says how much was left out', () => {
    const list = renderCertificateList({
      filter: { status: 'all' },
      page: 0,
      pageSize: 10_000,
      total: 10_000,
      items: certificates,
      now: NOW,
    });
    expect(allText(list)).toMatch(/…and [\d,]+ more on this page not shown/);
    const status = renderStatusResults({ results: statuses, invalid: [], now: NOW });
    expect(allText(status)).toMatch(/…and [\d,]+ more/);
    expect(status.text).toBe('5,000 certificates: 1,250 good, 1,250 revoked, 1,250 unknown, 1,250 other status.');
  });

  it('leaves the generic error free of the original message', () => {
    const marker = 'SECRET-MARKER-123';
    const message = renderCasError(
      Object.assign(new Error(`${marker} ${nasty(5000)}`), { stack: marker }),
      'Could not X',
    );
    expect(JSON.stringify(message)).not.toContain(marker);
  });
});
