import { mostUrgentFirst, stateCounts } from '../../src/domain/certificate-state';
import { HOME_VIEW_JSON_BUDGET } from '../../src/slack/blocks/home';
import { BUTTONS } from '../../src/slack/button-codecs';
import { AppHarness, buttons, type HomeViewJson, visibleText } from '../helpers/app-harness';
import { assertViewWithinLimits } from '../helpers/view-limits';

/**
 * App Home over real HTTP: signed `app_home_opened` events and Home-tab button presses reach the
 * real app; views.publish and views.open land on the fake Slack Web API.
 */
const text = (view: HomeViewJson) => visibleText(view);

describe('App Home', () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await new AppHarness().start({ certs: 120 });
    await h.services.syncNow();
  });
  afterAll(async () => {
    await h.stop();
  });

  const snapshot = async () => (await h.services.inventorySnapshot())!;
  /** Every item has Acknowledge; the first one of a certificate nobody acknowledged yet. */
  const unacknowledged = async (view: HomeViewJson) => {
    for (const b of buttons(view).filter((b) => b.action_id === BUTTONS.alertAcknowledge.actionId)) {
      const value = BUTTONS.alertAcknowledge.decode(b.value);
      if (value && !(await h.store.alerts.state(value.account, value.id))?.acknowledgedBy) return b;
    }
    return undefined;
  };

  test('app_home_opened publishes the user’s dashboard, with what they acknowledged', async () => {
    const now = new Date();
    const urgent = mostUrgentFirst((await snapshot()).certificates, now);
    const acked = urgent[0];
    await h.store.alerts.acknowledge(acked.account, acked.id, 'U0ACKER01', now);
    const mine = urgent[1];
    await h.store.alerts.acknowledge(mine.account, mine.id, 'U0ACKER01', now);

    expect(await h.openHome('U0ACKER01')).toBe(200);
    const view = await h.waitForHome('U0ACKER01');
    expect(view.type).toBe('home');
    const shown = text(view);
    expect(shown).toContain('*Health score:*');
    const counts = stateCounts((await snapshot()).certificates, now);
    expect(shown).toContain(`*Expired*\n:red_circle: ${counts.expired}`);
    expect(shown).toContain(`*Expiring*\n:large_orange_circle: ${counts.expiring}`);
    expect(shown).toContain(`*Stale deployments*\n:warning: ${counts.stale}`);
    expect(shown).toContain('*Acknowledged by you* (2)');
    expect(shown).toContain(`\`${acked.certificateId ?? acked.id}\``);
    // Acknowledged certificates leave the urgent list: no button names them any more.
    const named = buttons(view).map((b) => b.value ?? '');
    expect(named.some((v) => v.includes(`"id":"${acked.id}"`))).toBe(false);
    expect(shown).toMatch(/Inventory: As of <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>, synced just now/);
    assertViewWithinLimits(view, HOME_VIEW_JSON_BUDGET);
  });

  test('the Messages tab publishes nothing', async () => {
    expect(await h.openHome('U0MSGTAB1', 'messages')).toBe(200);
    await h.openHome('U0AFTER01');
    await h.waitForHome('U0AFTER01');
    expect(h.homePublishes('U0MSGTAB1')).toHaveLength(0);
  });

  test('Info on Home opens the certificate in a modal (no response_url there)', async () => {
    await h.openHome('U0INFO001');
    const view = await h.waitForHome('U0INFO001');
    const info = buttons(view).find((b) => b.action_id === BUTTONS.certInfo.actionId);
    const value = BUTTONS.certInfo.decode(info?.value);
    expect(value).toBeDefined();
    const pressed = await h.pressOnHome(BUTTONS.certInfo.actionId, info?.value ?? '', 'U0INFO001');
    expect(pressed.status).toBe(200);
    const opened = await h.slack.waitFor((c) => c.name === 'views.open' && c.body.trigger_id === pressed.triggerId);
    const modal = opened.body.view as HomeViewJson;
    expect(modal.type).toBe('modal');
    expect(modal.title?.text).toBe('Certificate');
    const certificate = (await snapshot()).certificates.find((c) => c.id === value?.id);
    expect(visibleText(modal)).toContain(`*Certificate ID*\n\`${certificate?.certificateId}\``);
    assertViewWithinLimits(modal);
    expect(h.slack.calls.filter((c) => c.kind === 'response')).toHaveLength(0);
  });

  test('Acknowledge on Home records it as alerts do and republishes the view with it under "Acknowledged by you"', async () => {
    const user = 'U0PRESS01';
    await h.openHome(user);
    const view = await h.waitForHome(user);
    const ack = await unacknowledged(view);
    const value = BUTTONS.alertAcknowledge.decode(ack?.value);
    expect(value).toBeDefined();
    const { status, triggerId } = await h.pressOnHome(BUTTONS.alertAcknowledge.actionId, ack?.value ?? '', user);
    expect(status).toBe(200);
    const after = await h.waitForHome(user, 1);
    const state = await h.store.alerts.state(value!.account, value!.id);
    expect(state?.acknowledgedBy).toBe(user);
    const audit = await h.store.audit.list(20);
    expect(audit).toContainEqual(
      expect.objectContaining({ userId: user, action: 'alert-acknowledge', outcome: 'acknowledged', details: value }),
    );
    const shown = text(after);
    expect(shown).toContain('*Acknowledged by you* (1)');
    const certificate = (await snapshot()).certificates.find((c) => c.id === value!.id);
    const ackSection = shown.slice(shown.indexOf('*Acknowledged by you*'));
    expect(ackSection).toContain(`\`${certificate?.certificateId ?? certificate?.id}\``);
    expect(buttons(after).some((b) => b.value === ack?.value)).toBe(false);
    // Nothing to say beyond the view itself: no modal.
    expect(h.slack.apiCalls('views.open').filter((c) => c.body.trigger_id === triggerId)).toHaveLength(0);
  });

  test('Acknowledge of a certificate someone else acknowledged: a note in a modal, and the view shows who', async () => {
    const user = 'U0LATE001';
    await h.openHome(user);
    const view = await h.waitForHome(user);
    const ack = await unacknowledged(view);
    const value = BUTTONS.alertAcknowledge.decode(ack?.value)!;
    await h.store.alerts.acknowledge(value.account, value.id, 'U0FIRST01', new Date(Date.now() - 60_000));
    const pressed = await h.pressOnHome(BUTTONS.alertAcknowledge.actionId, ack?.value ?? '', user);
    const note = await h.slack.waitFor((c) => c.name === 'views.open' && c.body.trigger_id === pressed.triggerId);
    expect(visibleText(note.body.view as HomeViewJson)).toContain('Already acknowledged by <@U0FIRST01>');
    const after = await h.waitForHome(user, 1);
    expect(text(after)).toContain('Acknowledged by <@U0FIRST01>');
  });

  test('Refresh republishes without a CAS call while the inventory is fresh', async () => {
    const user = 'U0REFRESH';
    await h.openHome(user);
    const view = await h.waitForHome(user);
    h.sandbox.resetCalls();
    const refresh = buttons(view).find((b) => b.action_id === 'cert_home_refresh');
    expect(refresh?.text).toBe('Refresh');
    const { status } = await h.pressOnHome('cert_home_refresh', refresh?.value ?? '', user);
    expect(status).toBe(200);
    const again = await h.waitForHome(user, 1);
    expect(text(again)).toContain('*Health score:*');
    expect(h.sandbox.calls).toHaveLength(0);
  });

  test('a tampered Refresh value gets the stale-button note in a modal', async () => {
    const pressed = await h.pressOnHome('cert_home_refresh', 'not json', 'U0TAMPER1');
    const note = await h.slack.waitFor((c) => c.name === 'views.open' && c.body.trigger_id === pressed.triggerId);
    expect((note.body.view as HomeViewJson).type).toBe('modal');
  });
});

describe('App Home with 10,000 certificates', () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await new AppHarness().start({ certs: 10_000, sandbox: { qps: 10_000 }, env: { CAS_QPS: '1000' } });
    await h.services.syncNow();
  }, 120_000);
  afterAll(async () => {
    await h.stop();
  });

  test('the view stays within every Home tab limit and ends long lists with "and N more"', async () => {
    const now = new Date();
    const user = 'U0BIGUSER';
    const urgent = mostUrgentFirst((await h.services.inventorySnapshot())!.certificates, now);
    for (const c of urgent.slice(0, 40)) await h.store.alerts.acknowledge(c.account, c.id, user, now);
    for (const c of urgent.slice(40, 80))
      await h.store.alerts.snooze(c.account, c.id, user, new Date(now.getTime() + 86_400_000));
    await h.openHome(user);
    const view = await h.waitForHome(user);
    assertViewWithinLimits(view, HOME_VIEW_JSON_BUDGET);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const shown = text(view);
    expect(shown).toMatch(/…and [\d,]+ more need attention/);
    expect(shown).toMatch(/\*Acknowledged by you\* \(40\)[\s\S]*…and \d+ more/);
    expect(shown).toMatch(/\*Snoozed by you\* \(40\)[\s\S]*…and \d+ more/);
    expect(buttons(view).filter((b) => b.text === 'Info')).toHaveLength(10);
  });
});
