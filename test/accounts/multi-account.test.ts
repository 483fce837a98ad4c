import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type SandboxOptions } from '../../src/sandbox';
import { BUTTONS } from '../../src/slack/button-codecs';
import { ADMIN, AppHarness, buttons, visibleText } from '../helpers/app-harness';

/**
 * Two Alibaba Cloud accounts in one bot, each with its own key pair and data set in one
 * simulator, over the real Slack receiver: answers cover both, `account:` narrows, one account
 * failing leaves the other's answers whole, and each stays within its own QPS.
 */

const STAGING_KEY_ID = 'LTAI5tSandboxKeyId000002';
const STAGING_SECRET = 'sandbox-secret-2-do-not-use-in-production';

const ACCOUNT_ENV = {
  PROD_KEY_ID: DEFAULT_ACCESS_KEY_ID,
  PROD_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
  STAGING_KEY_ID,
  STAGING_KEY_SECRET: STAGING_SECRET,
};

function accountsFile(
  dir: string,
  url: string,
  qps: { prod: number; staging: number },
  staging: string[] = [],
): string {
  const file = path.join(dir, 'accounts.yaml');
  fs.writeFileSync(
    file,
    [
      '- name: prod',
      `  site: ${url}`,
      '  accessKeyId: PROD_KEY_ID',
      '  accessKeySecret: PROD_KEY_SECRET',
      `  qps: ${qps.prod}`,
      '- name: staging',
      `  site: ${url}`,
      '  accessKeyId: STAGING_KEY_ID',
      '  accessKeySecret: STAGING_KEY_SECRET',
      `  qps: ${qps.staging}`,
      ...staging,
    ].join('\n'),
  );
  return file;
}

/** A harness whose simulator holds both accounts and whose bot reads them from CAS_ACCOUNTS_FILE. */
async function startTwoAccounts(
  options: {
    qps?: { prod: number; staging: number };
    env?: Record<string, string>;
    certs?: number;
    /** More lines of the staging entry. */
    staging?: string[];
  } = {},
) {
  const h = new AppHarness();
  // The file needs the simulator's URL, which exists only once it listens: a first start learns it.
  const sandboxOptions: Partial<SandboxOptions> = {
    qps: 1_000,
    accounts: [
      {
        name: 'prod',
        accessKeys: { [DEFAULT_ACCESS_KEY_ID]: DEFAULT_ACCESS_KEY_SECRET },
        certs: options.certs ?? 80,
        seed: 11,
      },
      { name: 'staging', accessKeys: { [STAGING_KEY_ID]: STAGING_SECRET }, certs: options.certs ?? 60, seed: 12 },
    ],
  };
  const file = path.join(h.dataDir, 'accounts.yaml');
  await h.start({
    sandbox: sandboxOptions,
    env: { CAS_ACCOUNTS_FILE: file, ...ACCOUNT_ENV, ...options.env },
    beforeConfig: (sandboxUrl) => {
      accountsFile(h.dataDir, sandboxUrl, options.qps ?? { prod: 50, staging: 50 }, options.staging);
    },
  });
  return h;
}

describe('two accounts', () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startTwoAccounts();
  });
  afterAll(async () => {
    await h.stop();
  });

  test('/cert-risk shows one line per account and the totals: inventory counts, then CAS counters apart', async () => {
    const before = visibleText((await h.command('/cert-risk', '')).answer);
    expect(before).toMatch(/\*prod\* · no inventory yet/);
    await h.services.syncAll();
    const { answer } = await h.command('/cert-risk', '');
    const text = visibleText(answer);
    const cas = text.indexOf('*CAS risk counters (certificates, resources and domains), by account*');
    expect(cas).toBeGreaterThan(0);
    const ours = text.slice(0, cas);
    const theirs = text.slice(cas);
    // The bot's counts per account add up to the totals, and no CAS figure is among them.
    const atRisk = [...ours.matchAll(/\* · (\d+) of (\d+) certificates at risk/g)].map((m) => Number(m[1]));
    expect(atRisk).toHaveLength(3);
    expect(atRisk[2]).toBe(atRisk[0] + atRisk[1]);
    expect(ours).not.toMatch(/health score/);
    expect(theirs).toMatch(/\*prod\* · health score \d+ · \d+ in all · \d+ expired · \d+ expiring/);
    expect(theirs).toMatch(/\*staging\* · health score \d+/);
    // CAS's totals add up the two accounts' lines.
    const casItems = [...theirs.matchAll(/\* · health score \d+ · (\d+) in all/g)].map((m) => Number(m[1]));
    expect(casItems).toHaveLength(3);
    expect(casItems[2]).toBe(casItems[0] + casItems[1]);
    expect(casItems[0]).not.toBe(casItems[1]); // different data sets
  });

  test('account:NAME narrows /cert-risk to the full breakdown of that account; an unknown name lists the known ones', async () => {
    const { answer } = await h.command('/cert-risk', 'account:STAGING');
    expect(visibleText(answer)).toMatch(/By kind/);
    expect(visibleText(answer)).not.toMatch(/By account/);
    const unknown = await h.command('/cert-risk', 'account:nope');
    expect(unknown.answer.text).toBe('There is no account "nope". Known accounts: prod, staging.');
    expect(unknown.answer.response_type).toBe('ephemeral');
  });

  test('/cert-status finds a serial that only the second account knows, and says which account', async () => {
    const staging = h.sandbox.account('staging').dataset.certificates;
    const prodSerials = new Set(h.sandbox.account('prod').dataset.certificates.map((c) => c.serialNo.toUpperCase()));
    const onlyStaging = staging.find((c) => c.status === 'REVOKED' && !prodSerials.has(c.serialNo.toUpperCase()));
    expect(onlyStaging).toBeDefined();
    const { answer } = await h.command('/cert-status', `${onlyStaging?.serialNo} FFFF0000FFFF`);
    const text = visibleText(answer);
    expect(text).toMatch(new RegExp(`\`staging\` \`${onlyStaging?.serialNo}\` \\*revoked\\*`));
    expect(text).toMatch(/`FFFF0000FFFF` unknown/);
    // Both accounts were asked, each with its own key.
    const asked = h.sandbox.calls.filter((c) => c.action === 'DescribeClientCertificateStatusForSerialNumber');
    expect(new Set(asked.map((c) => c.account))).toEqual(new Set(['prod', 'staging']));
  });

  test('/cert-list covers both accounts, each certificate showing its account; account:prod narrows', async () => {
    await h.services.syncAll();
    const total = async (text: string) => {
      const { answer } = await h.command('/cert-list', text);
      return { answer, count: Number(/Showing 1–10 of (\d+)/.exec(visibleText(answer))?.[1]) };
    };
    const [all, prod, staging] = [
      await total('all'),
      await total('all account:prod'),
      await total('all account:staging'),
    ];
    expect(all.count).toBe(prod.count + staging.count);
    expect(prod.count).toBeGreaterThan(10);
    expect(visibleText(all.answer)).toMatch(/`prod` \*/);
    expect(visibleText(all.answer)).toMatch(/`staging` \*/);
    expect(visibleText(prod.answer)).not.toMatch(/`staging`/);
    expect(visibleText(prod.answer)).toMatch(/All certificates of prod/);
    // Next keeps the account.
    const next = buttons(prod.answer).find((b) => b.action_id === BUTTONS.listNext.actionId);
    expect(BUTTONS.listNext.decode(next?.value ?? '')).toMatchObject({ account: 'prod', page: 1 });
    const page2 = await h.press(BUTTONS.listNext.actionId, next?.value ?? '', ADMIN);
    expect(visibleText(page2.answer)).toMatch(new RegExp(`Showing 11–20 of ${prod.count}`));
    expect(visibleText(page2.answer)).not.toMatch(/`staging`/);
  });

  test('/cert-assign needs account:NAME with two accounts, names it, and changes only that account', async () => {
    const bare = await h.command('/cert-assign', '33285 2', ADMIN);
    expect(bare.answer.text).toMatch(/Name the account whose quota changes: add account:NAME \(one of prod, staging\)/);
    const asked = await h.command('/cert-assign', '33285 2 account:staging', ADMIN);
    expect(asked.answer.text).toMatch(/assign 2 certificates to data source 33285 in account staging\?/);
    const confirm = buttons(asked.answer).find((b) => b.text === 'Confirm');
    h.sandbox.resetCalls();
    const done = await h.press(BUTTONS.assignConfirm.actionId, confirm?.value ?? '', ADMIN);
    expect(done.answer.text).toMatch(/Assigned 2 certificates to data source 33285 in account staging/);
    const writes = h.sandbox.calls.filter((c) => c.action === 'AssignCertificateCount');
    expect(writes.map((c) => c.account)).toEqual(['staging']);
  });

  test('readiness reports each account', async () => {
    const res = await fetch(`http://127.0.0.1:${h.port}/readyz`);
    const body = (await res.json()) as { checks: { accounts?: Record<string, { ok: boolean }> } };
    expect(res.status).toBe(200);
    expect(Object.keys(body.checks.accounts ?? {})).toEqual(['prod', 'staging']);
  });

  test('metrics carry the account', async () => {
    const res = await fetch(`http://127.0.0.1:${h.port}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/certbot_cas_calls_total\{operation="GetRiskCount",outcome="ok",account="staging"\} [1-9]/);
    expect(text).toMatch(/certbot_health_score\{account="prod"\} \d+/);
    expect(text).toMatch(/certbot_risk_count\{kind="total",account="staging"\} \d+/);
  });
});

describe('one account down', () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startTwoAccounts();
    await h.services.syncAll();
    h.sandbox.account('staging').setFaults({ unavailableRate: 1 });
  });
  afterAll(async () => {
    await h.stop();
  });

  test('/cert-risk still shows the other account whole, with a one-line note naming the failing one', async () => {
    const { answer } = await h.command('/cert-risk', '');
    const text = visibleText(answer);
    expect(text).toMatch(/\*prod\* · health score \d+/);
    expect(text).not.toMatch(/\*staging\* ·/);
    expect(text).toMatch(/Could not read staging: .*error ServiceUnavailable, RequestId [0-9A-F-]+/);
    expect(answer.text).toMatch(/Could not read staging\./);
  });

  test('/cert-status answers from the other account and notes the one that failed', async () => {
    const serial = h.sandbox.account('prod').dataset.certificates[0].serialNo;
    const { answer } = await h.command('/cert-status', serial);
    const text = visibleText(answer);
    expect(text).toMatch(new RegExp(`\`prod\` \`${serial}\``));
    expect(text).toMatch(/Could not read staging/);
  });

  test('a sync of both keeps the failing account’s inventory and syncs the other', async () => {
    const results = await h.services.syncAll();
    expect(results.map((r) => [r.account, 'summary' in r])).toEqual([
      ['prod', true],
      ['staging', false],
    ]);
    // Lists still come from the stored inventory for both.
    const { answer } = await h.command('/cert-list', 'all');
    expect(visibleText(answer)).toMatch(/`staging` \*/);
    expect(visibleText(answer)).toMatch(/`prod` \*/);
  });

  test('the digest shows the other account and names the one that could not be read', async () => {
    const message = await (await h.services.digest()).preview();
    const text = visibleText(message);
    expect(text).toMatch(/\*prod\* · health score/);
    expect(text).toMatch(/1 of 2 accounts/);
    expect(text).toMatch(/Could not read staging/);
    expect(message.text).toMatch(/could not read staging/);
  });

  test('a digest posted while an account is down keeps no all-accounts trend, but the other account’s numbers', async () => {
    const digest = await h.services.digest();
    const [outcome] = await digest.run(digest.periodAt(), { channels: ['C0DIGEST01'] });
    expect(outcome.status).toBe('posted');
    const posted = h.slack.apiCalls('chat.postMessage').find((c) => c.body.channel === 'C0DIGEST01');
    expect(visibleText(posted?.body as { blocks?: unknown[] })).toMatch(
      /no trend this week: not every account could be read/,
    );
    expect(await h.store.snapshots.history(12)).toEqual([]);
    expect(await h.store.snapshots.accountHistory('prod', 12)).toHaveLength(1);
    expect(await h.store.snapshots.accountHistory('staging', 12)).toEqual([]);
  });
});

test('alert routes with account:NAME, the account’s own channel, and alerts that name the account', async () => {
  const h = await startTwoAccounts({
    env: {
      ALERT_CHANNEL: 'C0DEFAULT',
      ALERT_ROUTES: 'account:staging *=C0STAGING',
      ALERT_HOURS: '00:00-24:00',
      ALERT_BASELINE: 'off',
    },
  });
  try {
    // A pass runs after every sync of a serving bot.
    await h.services.syncAll();
    const posts = h.slack.apiCalls('chat.postMessage');
    const accountsIn = (channel: string) =>
      new Set(
        posts
          .filter((c) => c.body.channel === channel)
          .flatMap((c) => buttons(c.body as { blocks?: unknown[] }))
          .filter((b) => b.action_id === BUTTONS.alertAcknowledge.actionId)
          .map((b) => BUTTONS.alertAcknowledge.decode(b.value ?? '')?.account),
      );
    expect(accountsIn('C0STAGING')).toEqual(new Set(['staging']));
    expect(accountsIn('C0DEFAULT')).toEqual(new Set(['prod']));
    const stagingPost = posts.find((c) => c.body.channel === 'C0STAGING');
    expect(visibleText(stagingPost?.body as { blocks?: unknown[] })).toMatch(/`staging` \*/);
  } finally {
    await h.stop();
  }
});

test('an account whose credentials are refused: readiness stays ready and names it, the other account answers whole', async () => {
  const h = await startTwoAccounts({ env: { STAGING_KEY_SECRET: 'not-the-staging-secret' } });
  try {
    const res = await fetch(`http://127.0.0.1:${h.port}/readyz`);
    const body = (await res.json()) as {
      status: string;
      checks: { cas: { ok: boolean; detail?: string }; accounts: Record<string, { ok: boolean; detail?: string }> };
    };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.accounts.prod.ok).toBe(true);
    expect(body.checks.accounts.staging).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/SignatureDoesNotMatch/),
    });
    expect(body.checks.cas.detail).toMatch(/failing: staging/);

    const { answer } = await h.command('/cert-risk', '');
    const text = visibleText(answer);
    expect(text).toMatch(/\*prod\* · health score \d+/);
    expect(text).toMatch(/Could not read staging: .*SignatureDoesNotMatch/);
    expect(text).not.toContain('not-the-staging-secret');
    expect(h.logs.text()).not.toContain('not-the-staging-secret');
  } finally {
    await h.stop();
  }
});

test('an account with its own digestChannels gets its own digest, titled with its name, trend from its own snapshots', async () => {
  const h = await startTwoAccounts({
    env: { DIGEST_CHANNEL: 'C0ALLDIGEST' },
    staging: ['  digestChannels: [C0STAGINGD]'],
  });
  try {
    await h.services.syncAll();
    const digest = await h.services.digest();
    const week = (offset: number) => {
      const now = digest.periodAt();
      const ms = now.end.getTime() - now.start.getTime();
      return digest.periodAt(new Date(now.start.getTime() + offset * ms + 1_000));
    };
    // Two past weeks.
    const [older, newer] = [week(-2), week(-1)];
    const first = await digest.run(older);
    expect(first.map((o) => [o.channel, o.status])).toEqual([
      ['C0ALLDIGEST', 'posted'],
      ['C0STAGINGD', 'posted'],
    ]);
    await digest.run(newer);
    // Form-encoded bodies carry the metadata as JSON text.
    const periodOf = (metadata: unknown) =>
      (
        (typeof metadata === 'string' ? JSON.parse(metadata) : metadata) as
          { event_payload?: { period?: string } } | undefined
      )?.event_payload?.period;
    const digestOf = (channel: string, period: string) => {
      const post = h.slack
        .apiCalls('chat.postMessage')
        .find((c) => c.body.channel === channel && periodOf(c.body.metadata) === period);
      return post?.body as { text?: string; blocks?: unknown[] };
    };
    expect(String(digestOf('C0ALLDIGEST', older.key).text)).toMatch(/^Weekly certificate digest · prod · /);
    expect(String(digestOf('C0STAGINGD', older.key).text)).toMatch(/^Weekly certificate digest · staging · /);
    expect(visibleText(digestOf('C0STAGINGD', older.key))).not.toMatch(/`prod`/);
    expect(visibleText(digestOf('C0STAGINGD', older.key))).toMatch(/first digest: trend from next week/);
    expect(visibleText(digestOf('C0STAGINGD', newer.key))).toMatch(/compared with the digest of/);
    // The staging digest's list button lists staging only.
    const list = buttons(digestOf('C0STAGINGD', newer.key)).find((b) => b.action_id === BUTTONS.listOpen.actionId);
    expect(BUTTONS.listOpen.decode(list?.value ?? '')).toEqual({ status: 'expiring', account: 'staging' });
  } finally {
    await h.stop();
  }
});

test('/cert-risk digest account:NAME previews that account only; its list button keeps the account', async () => {
  const h = await startTwoAccounts();
  try {
    const { answer } = await h.command('/cert-risk', 'digest account:staging');
    expect(answer.text).toMatch(/^Weekly certificate digest · staging · /);
    await h.services.syncAll();
    const risk = await h.command('/cert-risk', 'account:staging');
    const list = buttons(risk.answer).find((b) => b.action_id === BUTTONS.listOpen.actionId);
    expect(BUTTONS.listOpen.decode(list?.value ?? '')).toEqual({ status: 'expiring', account: 'staging' });
    const listed = await h.press(BUTTONS.listOpen.actionId, list?.value ?? '', ADMIN);
    expect(visibleText(listed.answer)).not.toMatch(/`prod`/);
    expect(visibleText(listed.answer)).toMatch(/`staging`/);
  } finally {
    await h.stop();
  }
});
