import { stateCounts } from '../../src/domain/certificate-state';
import { riskCounts } from '../../src/sandbox';
import { openSqliteStore } from '../../src/store/sqlite-store';
import { ADMIN, AppHarness, buttons, OTHER_ADMIN, USER, visibleText } from '../helpers/app-harness';
import { commandForm, postSigned, sign } from '../helpers/slack-requests';

let h: AppHarness;

beforeAll(async () => {
  h = await new AppHarness().start();
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.sandbox.resetCalls();
  h.cas.clearCache();
});

describe('/cert-risk', () => {
  // After a sync, as a team sees it once the bot has an inventory (before it, see the test at the end).
  let r: AppHarness;
  beforeAll(async () => {
    r = await new AppHarness().start();
    await r.services.syncNow();
  });
  afterAll(async () => {
    await r.stop();
  });

  test('acks at once and answers with the inventory counts, then CAS counters, and a list button', async () => {
    const calls = r.sandbox.calls.length;
    const { status, answer } = await r.command('/cert-risk', '');
    expect(status).toBe(200);
    const risk = riskCounts(r.sandbox.dataset);
    const text = visibleText(answer);
    expect(text).toContain('Health score');
    const counts = stateCounts((await r.services.inventorySnapshot())?.certificates ?? [], new Date());
    expect(text).toContain(`Expiring: *${counts.expiring}*`);
    // CAS's own counters, after their label.
    const cas = text.slice(text.indexOf('*CAS risk counters (certificates, resources and domains)*'));
    const expired =
      risk.BuyCertificateExpireCount +
      risk.FreeCertificateExpireCount +
      risk.UploadCertificateExpireCount +
      risk.AliyunAssetCertificateExpiredCount +
      risk.MultiCloudAssetCertificateExpiredCount;
    expect(cas).toContain(`Expired: *${expired}*`);
    expect(answer.response_type).toBe('ephemeral');
    expect(buttons(answer).map((b) => b.action_id)).toContain('cert_list_open');
    expect(
      r.sandbox.calls
        .slice(calls)
        .map((c) => c.action)
        .sort(),
    ).toEqual(['GetAssetCount', 'GetRiskCount']);
  });

  test('`public` posts it in the channel', async () => {
    const { answer } = await r.command('/cert-risk', 'public');
    expect(answer.response_type).toBe('in_channel');
  });

  test('help and unknown arguments give the usage', async () => {
    const before = r.sandbox.calls.length;
    const help = await r.command('/cert-risk', 'help');
    expect(help.answer.text).toContain('Usage: /cert-risk');
    const odd = await r.command('/cert-risk', 'sideways');
    expect(visibleText(odd.answer)).toContain('"sideways" is not an option');
    expect(r.sandbox.calls).toHaveLength(before);
  });

  test('`digest` shows the weekly digest as it would be posted, and posts nothing', async () => {
    const { answer } = await r.command('/cert-risk', 'digest');
    expect(answer.text).toContain('Weekly certificate digest');
    expect(answer.response_type).toBe('ephemeral');
    expect(visibleText(answer)).toMatch(/Expiring \(\d+\): within 30 days/);
    expect(r.slack.apiCalls('chat.postMessage')).toHaveLength(0);
    expect(await r.store.claims.list('digest', 10)).toHaveLength(0);
  });

  test('the list button answers with the expiring certificates', async () => {
    const { answer } = await r.command('/cert-risk', '');
    const open = buttons(answer).find((b) => b.action_id === 'cert_list_open');
    const pressed = await r.press('cert_list_open', open?.value ?? '', USER);
    expect(pressed.status).toBe(200);
    expect(pressed.answer.replace_original).toBe(false);
    // The list's "of N" is /cert-risk's expiring count.
    const counts = stateCounts((await r.services.inventorySnapshot())?.certificates ?? [], new Date());
    expect(pressed.answer.text).toContain(`of ${counts.expiring}.`);
  });
});

describe('/cert-risk before the first sync', () => {
  test('a CAS failure becomes a short message with the RAM action and RequestId; the app keeps serving', async () => {
    h.sandbox.failNext(1, {
      status: 403,
      code: 'Forbidden.RAM',
      message: 'User not authorized to operate on the specified resource.',
      accessDeniedDetail: { AuthAction: 'yundun-cert:GetRiskCount' },
    });
    const failed = await h.command('/cert-risk', '');
    const text = visibleText(failed.answer);
    expect(text).toContain('yundun-cert:GetRiskCount');
    expect(text).toMatch(/[0-9A-F]{8}-[0-9A-F]{4}/);
    expect(text).not.toMatch(/at .*\.ts:\d+/);
    const next = await h.command('/cert-risk', '');
    expect(visibleText(next.answer)).toContain('Health score');
  });

  test('says there is no inventory yet and shows only CAS counters, under their label', async () => {
    const { answer } = await h.command('/cert-risk', '');
    const text = visibleText(answer);
    expect(text).toContain('No inventory yet: the first inventory sync has not finished');
    expect(text).toContain('*CAS risk counters (certificates, resources and domains)*');
    expect(answer.text).toMatch(/^Certificate risk: No inventory yet/);
  });
});

describe('/cert-status', () => {
  test("good, revoked with its time in the reader's zone (UTC as fallback), and unknown, one line each", async () => {
    const revoked = h.sandbox.dataset.certificates.find((c) => c.status === 'REVOKED');
    const good = h.sandbox.dataset.certificates.find((c) => c.status === 'ISSUED');
    if (!revoked || !good) throw new Error('data set lacks a revoked or good certificate');
    const colons =
      good.serialNo
        .toLowerCase()
        .match(/.{1,2}/g)
        ?.join(':') ?? '';
    const { answer } = await h.command('/cert-status', `${colons}, ${revoked.serialNo} DEADBEEF ${revoked.serialNo}`);
    const text = visibleText(answer);
    expect(text).toContain(good.serialNo);
    expect(text).toContain('DEADBEEF');
    expect(answer.text).toMatch(/3 certificates: 1 good, 1 revoked, 1 unknown/);
    const when = new Date(revoked.revokeTime ?? 0).toISOString().slice(0, 16).replace('T', ' ');
    // In each reader's own zone, with the UTC time where Slack cannot render it.
    const seconds = Math.floor((revoked.revokeTime ?? 0) / 1000);
    expect(text).toContain(`*revoked* on <!date^${seconds}^{date_short_pretty} {time}|${when} UTC>`);
    expect(answer.text).not.toContain('<!date');
    // The three lookups went out together.
    expect(h.sandbox.calls).toHaveLength(1);
  });

  test('invalid tokens are listed with their reason while valid serials are still looked up', async () => {
    const good = h.sandbox.dataset.certificates.find((c) => c.status === 'ISSUED');
    const { answer } = await h.command('/cert-status', `xyz-123 ${good?.serialNo}`);
    const text = visibleText(answer);
    expect(text).toContain('xyz-123');
    expect(text).toMatch(/not hexadecimal/i);
    expect(answer.text).toMatch(/1 good/);
  });

  test('more than 50 serials: the first 50 are looked up, the rest are named', async () => {
    const serials = Array.from({ length: 55 }, (_, i) => (0x1000 + i).toString(16).toUpperCase());
    const { answer } = await h.command('/cert-status', serials.join(' '));
    expect(visibleText(answer)).toMatch(/at most 50/);
    expect(h.sandbox.calls).toHaveLength(1);
    expect(h.sandbox.calls[0].query.SerialNumber.split(',')).toHaveLength(50);
  });

  test('empty input gives the usage, and no CAS call', async () => {
    const { answer } = await h.command('/cert-status', '   ');
    expect(answer.text).toContain('Usage: /cert-status');
    expect(h.sandbox.calls).toHaveLength(0);
  });
});

describe('/cert-list', () => {
  test('pages of 10 sorted by days left, with Next and Previous updating the same message', async () => {
    const { answer } = await h.command('/cert-list', 'all');
    const first = visibleText(answer);
    expect(buttons(answer).map((b) => b.action_id)).toEqual(['cert_list_next']);
    const next = buttons(answer)[0];
    const page2 = await h.press('cert_list_next', next.value ?? '', USER);
    expect(page2.answer.replace_original).toBe(true);
    expect(visibleText(page2.answer)).not.toEqual(first);
    expect(visibleText(page2.answer)).toMatch(/11.20 of/);
    // Sorted by days left: every end date on page 1 comes no later than any on page 2.
    const endDates = (text: string) =>
      [...text.matchAll(/ID `(\d+)`/g)].map(
        (m) => h.sandbox.dataset.certificates.find((c) => c.certificateId === Number(m[1]))?.endDate ?? '',
      );
    const firstEnds = endDates(first);
    expect(firstEnds).toHaveLength(10);
    expect([...firstEnds].sort()).toEqual(firstEnds);
    expect(firstEnds[9] <= endDates(visibleText(page2.answer)).sort()[0]).toBe(true);
    const prev = buttons(page2.answer).find((b) => b.action_id === 'cert_list_prev');
    const back = await h.press('cert_list_prev', prev?.value ?? '', USER);
    expect(visibleText(back.answer)).toEqual(first);
  });

  test('expiring with a keyword shows only matching certificates', async () => {
    const target = h.sandbox.dataset.certificates.find((c) => c.status === 'WILLEXPIRED' && c.source !== 'upload');
    const keyword = target?.commonName.replace(/^\*\./, '') ?? '';
    const { answer } = await h.command('/cert-list', `expiring ${keyword}`);
    expect(visibleText(answer)).toContain(String(target?.certificateId));
    expect(h.sandbox.calls.every((c) => c.query.Status === 'WILLEXPIRED' && c.query.Keyword === keyword)).toBe(true);
  });

  test('two keywords give the usage', async () => {
    const { answer } = await h.command('/cert-list', 'expired one two');
    expect(visibleText(answer)).toContain('at most one keyword');
    expect(h.sandbox.calls).toHaveLength(0);
  });
});

describe('/cert-assign', () => {
  test('a non-admin is refused, and the refusal is audited', async () => {
    const { answer } = await h.command('/cert-assign', '33285 5', USER);
    expect(answer.text.toLowerCase()).toMatch(/admin/);
    expect(buttons(answer)).toHaveLength(0);
    expect(h.sandbox.calls).toHaveLength(0);
    const [latest] = await h.store.audit.list(1);
    expect(latest).toMatchObject({ userId: USER, outcome: 'refused' });
  });

  test('invalid arguments from an admin give the usage', async () => {
    const { answer } = await h.command('/cert-assign', '33285 lots', ADMIN);
    expect(visibleText(answer)).toContain('"lots" is not a certificate count');
  });

  test('an admin confirms; only that admin can press; the result and every step are audited', async () => {
    const { answer } = await h.command('/cert-assign', '33285 7', ADMIN);
    const confirm = buttons(answer).find((b) => b.action_id === 'cert_assign_confirm');
    expect(confirm).toBeDefined();
    expect(h.sandbox.calls).toHaveLength(0);

    const intruder = await h.press('cert_assign_confirm', confirm?.value ?? '', OTHER_ADMIN, '1700000001.000001');
    expect(intruder.answer.replace_original).toBe(false);
    expect(h.sandbox.calls).toHaveLength(0);

    const done = await h.press('cert_assign_confirm', confirm?.value ?? '', ADMIN, '1700000001.000001');
    expect(done.answer.replace_original).toBe(true);
    const text = visibleText(done.answer);
    expect(text).toContain('7');
    expect(h.sandbox.calls).toHaveLength(1);
    expect(h.sandbox.calls[0].query).toMatchObject({ Id: '33285', CertTotalCount: '7' });
    const requestId = (await h.store.audit.list(1))[0].requestId;
    expect(requestId).toBeDefined();
    expect(text).toContain(requestId as string);

    const outcomes = (await h.store.audit.list(4)).map((e) => `${e.userId}:${e.outcome}`).reverse();
    expect(outcomes).toEqual([
      `${ADMIN}:requested`,
      `${OTHER_ADMIN}:denied`,
      `${ADMIN}:confirmed`,
      `${ADMIN}:succeeded`,
    ]);
  });

  test('cancel changes nothing and is audited; the audit log survives a restart', async () => {
    const { answer } = await h.command('/cert-assign', '33286 3', ADMIN);
    const cancel = buttons(answer).find((b) => b.action_id === 'cert_assign_cancel');
    const cancelled = await h.press('cert_assign_cancel', cancel?.value ?? '', ADMIN);
    expect(cancelled.answer.replace_original).toBe(true);
    expect(visibleText(cancelled.answer).toLowerCase()).toContain('cancel');
    expect(h.sandbox.calls).toHaveLength(0);

    const reopened = openSqliteStore(h.dataDir);
    const entries = await reopened.audit.list(50);
    await reopened.close();
    expect(entries[0]).toMatchObject({
      userId: ADMIN,
      outcome: 'cancelled',
      details: { dataSourceId: '33286', count: 3 },
    });
    expect(entries.some((e) => e.outcome === 'refused')).toBe(true);
  });
});

describe('request verification', () => {
  test('a bad signature is answered 401 and reaches no handler', async () => {
    const form = commandForm({
      command: '/cert-risk',
      text: '',
      user_id: USER,
      response_url: h.slack.responseUrl('x1'),
    });
    const res = await postSigned(h.eventsUrl, form, {
      signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000',
    });
    expect(res.status).toBe(401);
    const wrongSecret = await postSigned(h.eventsUrl, form, { secret: 'not-the-signing-secret' });
    expect(wrongSecret.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.sandbox.calls).toHaveLength(0);
    expect(h.slack.responses('x1')).toHaveLength(0);
  });

  test('a stale timestamp (replay) is answered 401 and reaches no handler', async () => {
    const form = commandForm({
      command: '/cert-risk',
      text: '',
      user_id: USER,
      response_url: h.slack.responseUrl('x2'),
    });
    const old = Math.floor(Date.now() / 1000) - 10 * 60;
    const body = new URLSearchParams(form).toString();
    const res = await postSigned(h.eventsUrl, form, { timestamp: old, signature: sign(body, old) });
    expect(res.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.sandbox.calls).toHaveLength(0);
    expect(h.slack.responses('x2')).toHaveLength(0);
  });

  test('logs never contain the signing secret or the response_url', async () => {
    await h.command('/cert-risk', '');
    const logs = h.logs.text();
    expect(logs).not.toContain('test-signing-secret');
    expect(logs).not.toContain('/response/');
  });
});
