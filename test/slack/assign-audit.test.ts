import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../src/sandbox';
import { renderAuditLog, SLACK_AUDIT_ENTRIES } from '../../src/slack/blocks/audit';
import type { AuditEntry } from '../../src/store/types';
import { assertWithinBlockKitLimits } from '../helpers/limits-checker';
import { ADMIN, AppHarness, buttons, USER, visibleText } from '../helpers/app-harness';

/** `/cert-assign audit`: an admin reads the latest audit entries, over real signed requests. */

const harnesses: AppHarness[] = [];
async function harness(start: (h: AppHarness) => Promise<AppHarness> = (h) => h.start()): Promise<AppHarness> {
  const h = new AppHarness();
  harnesses.push(h);
  return start(h);
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

test('an admin sees a refused and a requested attempt, newest first, ephemeral; the log is not written to', async () => {
  const h = await harness();
  // What the non-admin typed is stored as typed, markup and all.
  const refused = await h.command('/cert-assign', '33285 5 <!channel> *now*', USER);
  expect(refused.answer.text.toLowerCase()).toMatch(/only bot admins/);
  const requested = await h.command('/cert-assign', '33286 7', ADMIN);
  expect(buttons(requested.answer).map((b) => b.action_id)).toContain('cert_assign_confirm');
  h.sandbox.resetCalls();

  const { answer } = await h.command('/cert-assign', 'audit', ADMIN);
  expect(answer.response_type).toBe('ephemeral');
  expect(buttons(answer)).toHaveLength(0);
  const text = visibleText(answer);
  expect(text).toContain('*Audit log* · all 2 entries, newest first');
  const lines = text.split('\n');
  const requestedLine = lines.findIndex((line) => line.includes('*requested*'));
  const refusedLine = lines.findIndex((line) => line.includes('*refused*'));
  expect(requestedLine).toBeGreaterThanOrEqual(0);
  expect(refusedLine).toBeGreaterThan(requestedLine);
  expect(lines[requestedLine]).toMatch(
    new RegExp(
      `^\\*<!date\\^\\d+\\^\\{date_short_pretty\\} \\{time\\}\\|\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC>\\* · <@${ADMIN}> · cert-assign \\*requested\\* · data source \`33286\`, count \`7\`, account \`default\`$`,
    ),
  );
  expect(lines[refusedLine]).toContain(`<@${USER}> · cert-assign *refused* · typed \`33285 5 &lt;!channel&gt; *now*\``);
  expect(text).not.toContain('<!channel>');
  expect(h.sandbox.calls).toHaveLength(0);
  // Reading the log is no attempt to assign: nothing more was recorded.
  expect((await h.store.audit.list(10)).map((e) => e.outcome)).toEqual(['requested', 'refused']);
});

test('a non-admin asking for the audit log is refused, and the attempt is recorded', async () => {
  const h = await harness();
  await h.command('/cert-assign', '33286 7', ADMIN);
  const { answer } = await h.command('/cert-assign', 'audit', USER);
  expect(answer.response_type).toBe('ephemeral');
  expect(answer.text.toLowerCase()).toMatch(/only bot admins/);
  expect(visibleText(answer)).not.toContain('33286');
  const [latest] = await h.store.audit.list(1);
  expect(latest).toMatchObject({ userId: USER, action: 'cert-assign', outcome: 'refused', details: { text: 'audit' } });
});

test('an empty log, `audit` with more words, and help', async () => {
  const h = await harness();
  const empty = await h.command('/cert-assign', 'AUDIT', ADMIN);
  expect(visibleText(empty.answer)).toContain('No audit entries yet');
  const extra = await h.command('/cert-assign', 'audit 33285', ADMIN);
  expect(visibleText(extra.answer)).toContain('`audit` takes nothing more');
  const help = await h.command('/cert-assign', 'help', ADMIN);
  expect(visibleText(help.answer)).toContain('`/cert-assign audit`');
  expect(await h.store.audit.list(10)).toEqual([]);
});

test('with two accounts, `audit` is not asked for an account and ignores account:NAME', async () => {
  const stagingKeyId = 'LTAI5tSandboxKeyId000002';
  const stagingSecret = 'sandbox-secret-2-do-not-use-in-production';
  const h = await harness((h) =>
    h.start({
      certs: 20,
      sandbox: {
        accounts: [
          { name: 'prod', accessKeys: { [DEFAULT_ACCESS_KEY_ID]: DEFAULT_ACCESS_KEY_SECRET }, certs: 20, seed: 11 },
          { name: 'staging', accessKeys: { [stagingKeyId]: stagingSecret }, certs: 20, seed: 12 },
        ],
      },
      env: {
        CAS_ACCOUNTS_FILE: path.join(h.dataDir, 'accounts.yaml'),
        PROD_KEY_ID: DEFAULT_ACCESS_KEY_ID,
        PROD_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
        STAGING_KEY_ID: stagingKeyId,
        STAGING_KEY_SECRET: stagingSecret,
      },
      beforeConfig: (url) =>
        fs.writeFileSync(
          path.join(h.dataDir, 'accounts.yaml'),
          ['prod', 'staging']
            .flatMap((name) => [
              `- name: ${name}`,
              `  site: ${url}`,
              `  accessKeyId: ${name.toUpperCase()}_KEY_ID`,
              `  accessKeySecret: ${name.toUpperCase()}_KEY_SECRET`,
            ])
            .join('\n'),
        ),
    }),
  );
  const bare = await h.command('/cert-assign', '33285 2', ADMIN);
  expect(bare.answer.text).toMatch(/Name the account whose quota changes/);
  await h.command('/cert-assign', '33285 2 account:staging', ADMIN);

  for (const text of ['audit', 'audit account:prod', 'account:nonesuch audit']) {
    const { answer } = await h.command('/cert-assign', text, ADMIN);
    expect(answer.text).not.toMatch(/Name the account|account/i);
    expect(visibleText(answer)).toContain('data source `33285`, count `2`, account `staging`');
  }
  expect((await h.store.audit.list(10)).map((e) => e.outcome)).toEqual(['requested']);
});

describe('renderAuditLog', () => {
  const entry = (i: number): AuditEntry => ({
    at: new Date(Date.UTC(2026, 11, 1, 10, i)),
    userId: i % 2 ? 'U0ADMIN01' : 'not a user <@U0X>',
    action: 'cert-assign',
    outcome: 'failed',
    details: {
      dataSourceId: '9'.repeat(500),
      count: i,
      account: 'a`b*c'.repeat(50),
      error: `<!here> ${'x'.repeat(2000)}`,
      text: '\u0000'.repeat(10),
    },
    requestId: `\`${'R'.repeat(300)}`,
  });

  test('the latest entries within Block Kit limits, every stored value escaped', () => {
    const entries = Array.from({ length: SLACK_AUDIT_ENTRIES }, (_, i) => entry(i));
    const message = renderAuditLog(entries, { limit: SLACK_AUDIT_ENTRIES });
    assertWithinBlockKitLimits(message);
    const text = visibleText(message);
    expect(text).toContain('*Audit log* · the latest');
    expect(text).not.toMatch(/<!here>|<@U0X>/);
    expect(text).toContain('<@U0ADMIN01>');
    expect(text).toContain('not a user &lt;@U0X&gt;');
  });

  test('fewer entries than asked for are all of them', () => {
    const message = renderAuditLog([{ ...entry(1), details: {}, requestId: 'REQ-1' }], { limit: 20 });
    assertWithinBlockKitLimits(message);
    expect(visibleText(message)).toMatch(/all 1 entry, newest first[^]*cert-assign \*failed\* · RequestId `REQ-1`/);
  });
});
