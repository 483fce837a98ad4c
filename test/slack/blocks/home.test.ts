import { mostUrgentFirst, stateCounts } from '../../../src/domain/certificate-state';
import type { ListedCertificate } from '../../../src/inventory/certificate-source';
import { renderForTerminal } from '../../../src/render/terminal';
import { describeWeekChange, sparkline } from '../../../src/render/sparkline';
import {
  HOME_URGENT_SIZE,
  HOME_VIEW_JSON_BUDGET,
  type HomeInput,
  type HomeItem,
  type HomeView,
  renderHomeError,
  renderHomeView,
} from '../../../src/slack/blocks/home';
import { answerModal } from '../../../src/slack/blocks/modal';
import { BUTTONS } from '../../../src/slack/button-codecs';
import { CasError } from '../../../src/cas/errors';
import { assertViewWithinLimits } from '../../helpers/view-limits';
import { allText, buttons, certificate, nasty, NOW } from '../../helpers/block-fixtures';

const textOf = (view: HomeView) => allText({ text: 'App Home', blocks: view.blocks });
const buttonsOf = (view: HomeView) => buttons({ text: 'App Home', blocks: view.blocks });

const USER = 'U0ME';

describe('sparkline', () => {
  it('draws one bar per point between the lowest and the highest', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([70, 100])).toBe('▁█');
    expect(sparkline([80, 90, 85])).toBe('▁█▅');
  });

  it('is a row of middle bars when flat, empty without points, and skips what is not a number', () => {
    expect(sparkline([50, 50, 50])).toBe('▄▄▄');
    expect(sparkline([])).toBe('');
    expect(sparkline([Number.NaN, 1, Infinity, 2])).toBe('▁█');
  });

  it('describes the change between the last two points', () => {
    expect(describeWeekChange([70, 80, 82])).toBe('▲ 2 since last week');
    expect(describeWeekChange([90, 85])).toBe('▼ 5 since last week');
    expect(describeWeekChange([85, 85])).toBe('no change');
    expect(describeWeekChange([85])).toBe('trend from next week');
    expect(describeWeekChange([])).toBe('trend from next week');
  });
});

const day = (offset: number) => new Date(NOW.getTime() + offset * 86_400_000).toISOString().slice(0, 10);

function cert(id: number, daysLeft: number, extra: Partial<ListedCertificate> = {}): ListedCertificate {
  return {
    ...certificate({ CertificateId: id, CommonName: `host-${id}.example.com`, EndDate: day(daysLeft) }),
    deployment: { state: 'deployed', resources: [] },
    ...extra,
  };
}

function input(certificates: ListedCertificate[], overrides: Partial<HomeInput> = {}): HomeInput {
  return {
    userId: USER,
    now: NOW,
    accounts: [{ account: 'default', point: 82, trend: [70, 75, 80, 82] }],
    inventory: {
      syncedAt: new Date(NOW.getTime() - 4 * 60_000),
      counts: { ...stateCounts(certificates, NOW), deploymentsKnown: true },
    },
    urgent: mostUrgentFirst(certificates, NOW).map((c) => ({ certificate: c })),
    acknowledged: [],
    snoozed: [],
    ...overrides,
  };
}

describe('renderHomeView', () => {
  it('shows the score with its trend, the counts, the urgent certificates with Info and Acknowledge, and Refresh', () => {
    const certs = [cert(1, -3), cert(2, 5), cert(3, 20), cert(4, 200)];
    const view = renderHomeView(input(certs));
    expect(view.type).toBe('home');
    const text = textOf(view);
    expect(text).toContain('*Health score:* *82*  `▁▄▇█`  ▲ 2 since last week');
    expect(text).not.toContain('default');
    // One count per state, in the order of precedence, every certificate counted once.
    expect(text).toContain('*4 certificates in the inventory*');
    expect(text).toContain('*Stale deployments*\n:warning: 0');
    expect(text).toContain('*Expired*\n:red_circle: 1');
    expect(text).toContain('*Expiring*\n:large_orange_circle: 2');
    expect(text).toContain('*Valid*\n:large_green_circle: 1');
    expect(text.indexOf('*Stale deployments*')).toBeLessThan(text.indexOf('*Expired*'));
    expect(text).toContain('`1` — *expired 3 days ago*');
    expect(text).toContain('`2` — 5 days left · *expiring*');
    expect(text).toContain('*Most urgent* (3 certificates)');
    expect(text).toContain('host-1.example.com');
    expect(text).not.toContain('host-4.example.com');
    expect(text).toContain('Inventory: As of');
    expect(text).toContain('synced 4 min ago');
    const pressed = buttonsOf(view);
    expect(pressed.map((b) => b.text)).toEqual([
      'Info',
      'Acknowledge',
      'Info',
      'Acknowledge',
      'Info',
      'Acknowledge',
      'Refresh',
    ]);
    expect(BUTTONS.certInfo.decode(pressed[0].value)).toEqual({ account: 'default', id: '1' });
    expect(BUTTONS.alertAcknowledge.decode(pressed[1].value)).toEqual({ account: 'default', id: '1' });
    expect(pressed[6].action_id).toBe('cert_home_refresh');
    assertViewWithinLimits(view);
  });

  it('orders by what breaks first, gives every item Info and Acknowledge, and names who acknowledged', () => {
    const stale = cert(9, 40, {
      replacedBy: { ...certificate({ CertificateId: 10 }) },
      deployment: { state: 'stale', resources: [] },
    });
    const other = cert(2, 5);
    const acknowledgedByBob = { account: 'default', certificateId: '2', acknowledgedBy: 'U0BOB', acknowledgedAt: NOW };
    const urgent = mostUrgentFirst([stale, other], NOW).map((certificate) => ({
      certificate,
      ...(certificate === other ? { state: acknowledgedByBob } : {}),
    }));
    // The certificate that breaks in 5 days before the stale deployment that breaks in 40.
    expect(urgent.map((i) => i.certificate.id)).toEqual(['2', '9']);
    const view = renderHomeView(input([other, stale], { urgent }));
    const text = textOf(view);
    expect(text).toContain('*stale deployment:* renewed, the old certificate is still serving');
    expect(text).toContain('Acknowledged by <@U0BOB>');
    expect(buttonsOf(view).map((b) => b.text)).toEqual(['Info', 'Acknowledge', 'Info', 'Acknowledge', 'Refresh']);
    const acknowledge = buttonsOf(view).filter((b) => b.text === 'Acknowledge');
    expect(acknowledge.map((b) => BUTTONS.alertAcknowledge.decode(b.value))).toEqual([
      { account: 'default', id: '2' },
      { account: 'default', id: '9' },
    ]);
    expect(text.indexOf('host-2')).toBeLessThan(text.indexOf('host-9'));
  });

  it('lists what the user acknowledged and snoozed', () => {
    const mine: HomeItem = {
      certificate: cert(5, 3),
      state: { account: 'default', certificateId: '5', acknowledgedBy: USER, acknowledgedAt: NOW },
    };
    const snoozed: HomeItem = {
      certificate: cert(6, 12),
      state: {
        account: 'default',
        certificateId: '6',
        snoozedBy: USER,
        snoozedUntil: new Date(NOW.getTime() + 86_400_000),
      },
    };
    const text = textOf(renderHomeView(input([], { acknowledged: [mine], snoozed: [snoozed] })));
    expect(text).toContain(
      '*Acknowledged by you* (1)\n• *host-5.example.com* `5` — 3 days left · acknowledged <!date^1741599000^{date_short_pretty} {time}|2025-03-10 09:30 UTC>',
    );
    expect(text).toContain(
      '*Snoozed by you* (1)\n• *host-6.example.com* `6` — 12 days left · snoozed until <!date^1741685400^{date_short_pretty} {time}|2025-03-11 09:30 UTC>',
    );
    expect(text).toContain('Nothing needs your attention');
  });

  it('names accounts when there are several, and shows a failing account as one line', () => {
    const view = renderHomeView(
      input([], {
        accounts: [
          { account: 'prod', point: 90, trend: [] },
          {
            account: 'staging',
            trend: [],
            failure: { account: 'staging', hint: 'Grant the RAM action.', code: 'Forbidden.RAM', requestId: 'REQ-1' },
          },
        ],
      }),
    );
    const text = textOf(view);
    expect(text).toContain('• *prod* · *90*  trend from next week');
    expect(text).toContain(
      '• *staging* · :warning: not available: staging: Grant the RAM action (error Forbidden.RAM, RequestId REQ-1)',
    );
  });

  it('does not name the default account in a failure', () => {
    const text = textOf(
      renderHomeView(
        input([], {
          accounts: [{ account: 'default', trend: [], failure: { account: 'default', hint: 'CAS is down.' } }],
        }),
      ),
    );
    expect(text).toContain('*Health score:* :warning: not available: CAS is down');
    expect(text).not.toContain('default');
  });

  it('before the first sync says so, with no counts and no list', () => {
    const view = renderHomeView(input([], { inventory: undefined, urgent: [] }));
    const text = textOf(view);
    expect(text).toContain('No inventory sync has finished yet');
    expect(text).not.toContain('Most urgent');
    expect(buttonsOf(view).map((b) => b.text)).toEqual(['Refresh']);
  });

  it('stays within the limits of a Home tab at any size, ending long lists with "and N more"', () => {
    const long = nasty(400);
    const certs = Array.from({ length: 10_000 }, (_, i) =>
      cert(100_000 + i, (i % 60) - 10, { commonName: `${long}${i}`, account: `acct-${i % 3}` }),
    );
    const items = (n: number): HomeItem[] =>
      certs.slice(0, n).map((c) => ({
        certificate: c,
        state: {
          account: c.account,
          certificateId: c.id,
          acknowledgedBy: USER,
          acknowledgedAt: NOW,
          snoozedBy: USER,
          snoozedUntil: NOW,
        },
      }));
    const view = renderHomeView(
      input(certs, {
        accounts: Array.from({ length: 80 }, (_, i) => ({
          account: `${long}-${i}`,
          point: i,
          trend: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        })),
        acknowledged: items(500),
        snoozed: items(500),
        inventory: {
          syncedAt: NOW,
          lastFailure: { at: NOW, message: long.repeat(10) },
          counts: { ...stateCounts(certs, NOW), deploymentsKnown: true },
        },
      }),
    );
    assertViewWithinLimits(view, HOME_VIEW_JSON_BUDGET);
    const text = textOf(view);
    expect(buttonsOf(view).filter((b) => b.text === 'Info').length).toBeLessThanOrEqual(HOME_URGENT_SIZE);
    expect(text).toMatch(/…and [\d,]+ more need attention/);
    expect(text.match(/…and [\d,]+ more/g)?.length).toBeGreaterThanOrEqual(4);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U1>');
  });

  it('reads in a terminal', () => {
    const out = renderForTerminal({ text: 'App Home', blocks: renderHomeView(input([cert(1, 2)])).blocks });
    expect(out).toContain('Health score: 82  ▁▄▇█  ▲ 2 since last week');
    expect(out).toContain('[ Info ]  [ Acknowledge ]');
    expect(out).toContain('[ Refresh ]');
  });
});

describe('renderHomeError and answerModal', () => {
  it('an error view says what failed and keeps Refresh', () => {
    const view = renderHomeError(
      new CasError({
        kind: 'throttled',
        operation: 'GetAssetCount',
        code: 'Throttling',
        message: 'slow down',
        hint: 'Wait a minute.',
      }),
      NOW,
    );
    expect(textOf(view)).toContain('Could not build your certificate dashboard');
    expect(buttonsOf(view).map((b) => b.text)).toEqual(['Refresh']);
    assertViewWithinLimits(view);
  });

  it('a modal has a title of at most 24 characters, a Close button and the message blocks', () => {
    const modal = answerModal({ text: 'x', blocks: [{ type: 'divider' }] }, 'A title far longer than Slack allows');
    expect(modal.type).toBe('modal');
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(modal.close?.text).toBe('Close');
    expect(modal.blocks).toEqual([{ type: 'divider' }]);
  });
});
