import { displayWidth, mrkdwnToTerminal, renderForTerminal } from '../../src/render/terminal';
import { renderAssignConfirmation } from '../../src/slack/blocks/assign';
import { renderCertificateList } from '../../src/slack/blocks/list';
import { renderRiskSummary } from '../../src/slack/blocks/risk';
import { renderStatusResults } from '../../src/slack/blocks/status';
import type { SlackMessage } from '../../src/slack/blocks/types';
import { assets, certificate, EXPIRES_AT, NONCE, NOW, risk } from '../helpers/block-fixtures';

// eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC
const ANSI = /\u001b\[/;
const stripAnsi = (text: string) =>
  text
    .split('\u001b[')
    .map((part, i) => (i === 0 ? part : part.replace(/^[0-9;]*m/, '')))
    .join('');

const sample: SlackMessage = {
  text: 'fallback',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'Certificate risk' } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':red_circle: *Expired* _soon_ `AB:CD` see <https://example.com/a?b=1&amp;c=2|the docs> or <https://x.test> &lt;ok&gt; &amp; :unknown_emoji: <@U123>',
      },
    },
    { type: 'divider' },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Checked 2025-03-10 09:30 UTC' }] },
    {
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Confirm' }, action_id: 'a', style: 'primary' },
        { type: 'button', text: { type: 'plain_text', text: 'Cancel' }, action_id: 'b' },
      ],
    },
  ],
};

describe('renderForTerminal', () => {
  it('renders plain text without ANSI codes when color is off', () => {
    const out = renderForTerminal(sample, { color: false, width: 100 });
    expect(out).not.toMatch(ANSI);
    expect(out).toBe(
      [
        'Certificate risk',
        '════════════════',
        '',
        '🔴 Expired soon AB:CD see the docs (https://example.com/a?b=1&c=2) or https://x.test <ok> &',
        ':unknown_emoji: @U123',
        '',
        '─'.repeat(100),
        '',
        'Checked 2025-03-10 09:30 UTC',
        '',
        '[ Confirm ]  [ Cancel ]',
        '',
      ].join('\n'),
    );
  });

  it('uses bold, underline and dim when color is on', () => {
    const out = renderForTerminal(sample, { color: true, width: 100 });
    expect(out).toMatch(ANSI);
    expect(out).toContain('\u001b[1mExpired\u001b[22m');
    expect(out).toContain('\u001b[3msoon\u001b[23m');
    expect(out).toContain('\u001b[2mChecked 2025-03-10 09:30 UTC\u001b[22m');
    expect(stripAnsi(out)).toContain('[ Confirm ]  [ Cancel ]');
  });

  it('converts mrkdwn pieces', () => {
    expect(mrkdwnToTerminal('*bold* and _it_ and ~gone~')).toBe('bold and it and gone');
    expect(mrkdwnToTerminal('<https://a.test|label>')).toBe('label (https://a.test)');
    expect(mrkdwnToTerminal('<!here> <#C1|ops> <!date^1^{date}|Jan 1>')).toBe('@here #ops Jan 1');
    expect(mrkdwnToTerminal('`*not bold*` 2*3*4')).toBe('*not bold* 2*3*4');
    expect(mrkdwnToTerminal('*\u2217.example.com*')).toBe('*.example.com');
    expect(mrkdwnToTerminal(':white_check_mark: :no_entry: :grey_question: :warning:')).toBe('✅ ⛔ ❔ ⚠️');
  });

  it('renders fields in two columns when wide and one column when narrow', () => {
    const message = renderRiskSummary({
      risk: risk({ BuyCertificateExpireCount: 2 }),
      assets: assets(),
      now: NOW,
      inventory: {
        counts: { stale: 0, expired: 2, expiring: 1, renewed: 0, 'not-deployed': 0, valid: 7, total: 10 },
        syncedAt: NOW,
        deploymentsKnown: true,
      },
    });
    const wide = renderForTerminal(message, { width: 100 });
    expect(wide).toMatch(/By kind {2,}By source/);
    expect(wide).toContain('[ List expiring certificates ]');
    const narrow = renderForTerminal(message, { width: 40 });
    expect(narrow).toMatch(/By kind\n🔴 Expired: 2\nBy source/);
    for (const line of narrow.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(40);
  });

  it('shows the renderers output readably', () => {
    const list = renderCertificateList({
      filter: { status: 'expiring' },
      page: 0,
      pageSize: 10,
      total: 11,
      items: [certificate({ CommonName: '*.example.com', EndDate: '2025-03-12' })],
      now: NOW,
    });
    const out = renderForTerminal(list, { width: 80 });
    expect(out).toContain('🟠 *.example.com — 2 days left (ends 2025-03-12)');
    expect(out).toContain('[ Next ▶ ]');
    expect(
      renderForTerminal(
        renderAssignConfirmation({ dataSourceId: '1', count: 2, adminId: 'U1', nonce: NONCE, expiresAt: EXPIRES_AT }),
      ),
    ).toContain('[ Confirm ]  [ Cancel ]');
  });

  it('matches the snapshots of the main messages, as a reviewer would read them', () => {
    const messages = [
      renderRiskSummary({
        risk: risk({ BuyCertificateExpireCount: 2, FreeCertificateWillExpiredCount: 3, DomainAssetNotMonitorCount: 5 }),
        assets: assets(),
        now: NOW,
        inventory: {
          counts: { stale: 1, expired: 2, expiring: 3, renewed: 1, 'not-deployed': 2, valid: 11, total: 20 },
          syncedAt: NOW,
          deploymentsKnown: true,
        },
      }),
      renderRiskSummary({ risk: risk(), assets: assets({ Point: 100, LastPoint: 100 }), now: NOW }),
      renderStatusResults({
        results: [
          { SerialNumber: '0A1B2C', Status: 'good' },
          { SerialNumber: 'DEADBEEF', Status: 'revoked', RevokeTime: Date.UTC(2025, 0, 1, 8, 15) },
          { SerialNumber: '0123', Status: 'unknown' },
        ],
        invalid: [{ token: 'xyz', reason: 'not hexadecimal (only 0-9 and A-F allowed)' }],
        now: NOW,
      }),
      renderCertificateList({
        filter: { status: 'expiring', keyword: 'example' },
        page: 1,
        pageSize: 10,
        total: 23,
        items: [
          certificate({ CommonName: '*.example.com', CertificateId: 11, EndDate: '2025-03-01', Expired: true }),
          certificate({ CommonName: 'api.example.com', CertificateId: 12, EndDate: '2025-03-12' }),
        ],
        now: NOW,
      }),
      renderAssignConfirmation({
        dataSourceId: '33285',
        count: 5,
        adminId: 'U123',
        nonce: NONCE,
        expiresAt: EXPIRES_AT,
      }),
    ];
    expect(
      `\n${messages.map((message) => renderForTerminal(message, { width: 80 })).join('\n- - -\n\n')}`,
    ).toMatchSnapshot();
  });

  it('falls back to the text when there are no blocks', () => {
    expect(renderForTerminal({ text: '*hi* &amp; bye', blocks: [] })).toBe('hi & bye\n');
  });
});
