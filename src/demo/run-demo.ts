import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { silentLogger } from '../ops/logger';
import { DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK } from '../probe/deny';
import { renderForTerminal } from '../render/terminal';
import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  type SandboxAccount,
  startSandbox,
  wireControl,
} from '../sandbox';
import { accountSnapshotOf, collectDigest, snapshotOf } from '../digest/collect';
import { createServices, type Services } from '../services';
import { signedFormHeaders } from './request-signing';
import { startResponseSink } from './response-sink';

/** Where the demo's alerts go (a channel of the stand-in for Slack). */
const ALERTS_CHANNEL = 'C0ALERTS';
/** Expiring certificates the demo account has already renewed (as `cert-bot sandbox` does). */
const DEMO_RENEWALS = 20;
/** The second account's key pair in the simulator: as obviously fake as the first. */
const STAGING_KEY_ID = 'LTAI5tSandboxKeyId000002';
const STAGING_KEY_SECRET = 'sandbox-secret-2-do-not-use-in-production';

export interface DemoOptions {
  out: (text: string) => void;
  color: boolean;
  width: number;
}

/**
 * `npm run demo`: the real bot (Slack app, CAS client and limiter, renderers, SQLite store)
 * against the CAS simulator, fed signed slash commands as Slack would send them; what Slack
 * would show is printed in the terminal instead. Needs no configuration and no network.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  // Two accounts in one simulator, as a team with production and staging accounts has them.
  const sandbox = await startSandbox({
    // The demo's syncs are not what it shows: let them run at full speed.
    qps: 1_000,
    // The wire too: a TLS listener on 127.0.0.1 serving each name what CAS says is deployed there.
    wire: true,
    accounts: [
      {
        name: 'prod',
        accessKeys: { [DEFAULT_ACCESS_KEY_ID]: DEFAULT_ACCESS_KEY_SECRET },
        certs: 500,
        seed: 42,
        replacedPairs: DEMO_RENEWALS,
      },
      { name: 'staging', accessKeys: { [STAGING_KEY_ID]: STAGING_KEY_SECRET }, certs: 120, seed: 43 },
    ],
  });
  const sink = await startResponseSink();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-demo-'));
  const signingSecret = crypto.randomBytes(16).toString('hex');
  const accountsFile = path.join(dataDir, 'accounts.yaml');
  const wireCa = path.join(dataDir, 'sandbox-wire-ca.pem');
  fs.writeFileSync(wireCa, sandbox.wire?.caPem ?? '');
  fs.writeFileSync(
    accountsFile,
    ['prod', 'staging']
      .map((name) =>
        [
          `- name: ${name}`,
          `  site: ${sandbox.url}`,
          `  accessKeyId: DEMO_${name.toUpperCase()}_KEY_ID`,
          `  accessKeySecret: DEMO_${name.toUpperCase()}_KEY_SECRET`,
        ].join('\n'),
      )
      .join('\n'),
  );
  const config = loadConfig({
    CAS_ACCOUNTS_FILE: accountsFile,
    DEMO_PROD_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    DEMO_PROD_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    DEMO_STAGING_KEY_ID: STAGING_KEY_ID,
    DEMO_STAGING_KEY_SECRET: STAGING_KEY_SECRET,
    DATA_DIR: dataDir,
    // The demo syncs when it means to, and reads CAS afresh after it changes the simulator.
    INVENTORY_SYNC_MINUTES: '0',
    CAS_QPS: '500',
    CAS_CACHE_TTL_SECONDS: '0',
    SLACK_BOT_TOKEN: 'xoxb-demo',
    SLACK_SIGNING_SECRET: signingSecret,
    // The bot's own posts (alerts) go to the demo's stand-in for Slack's Web API.
    SLACK_API_URL: sink.apiUrl,
    ALERT_CHANNEL: ALERTS_CHANNEL,
    // The demo shows its alerts whenever it runs (by default they wait for 09:00-20:00).
    ALERT_HOURS: '00:00-24:00',
    PORT: '0',
    // Every name's handshake goes to the simulator's listener, whose CA is trusted; loopback is allowed.
    PROBE_INTERVAL_MINUTES: '60',
    PROBE_RESOLVE: `*:*=${sandbox.wire?.endpoint ?? '127.0.0.1:9'}`,
    PROBE_CA_FILE: wireCa,
    PROBE_DENY: DEFAULT_PROBE_DENY_WITHOUT_LOOPBACK.join(','),
    // The deployed domains come first: enough to show drift, quickly.
    PROBE_MAX_TARGETS: '150',
  });
  // Known identity: Bolt skips auth.test, so the demo never calls slack.com.
  const services = createServices(config, {
    logger: silentLogger(),
    botIdentity: { botId: 'B0DEMO', botUserId: 'U0DEMO' },
  });
  const { port } = await services.start();

  let counter = 0;
  const heading = (title: string) => {
    const rule = '━'.repeat(Math.min(options.width, 72));
    options.out(`\n${rule}\n  ${title}\n${rule}\n`);
  };
  /** What the bot posted to the alert channel since the last look, as Slack shows it (the first `shown`). */
  const showPosted = (title: string, shown = Infinity) => {
    const posted = sink.takePosted();
    for (const message of posted.slice(0, shown)) {
      heading(`#alerts (${message.channel}): ${title}`);
      options.out(renderForTerminal(message, { color: options.color, width: options.width }));
    }
    return posted.length - Math.min(shown, posted.length);
  };
  const command = async (name: string, text: string) => {
    counter += 1;
    const id = `demo-${counter}`;
    const body = new URLSearchParams({
      team_id: 'T0DEMO',
      channel_id: 'C0DEMO',
      user_id: 'U0YOU',
      command: name,
      text,
      response_url: sink.url(id),
      trigger_id: id,
    }).toString();
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: signedFormHeaders(body, signingSecret),
      body,
    });
    if (res.status !== 200) throw new Error(`${name} was answered HTTP ${res.status}`);
    const message = await sink.next(id);
    heading(`${name}${text ? ` ${text}` : ''}`);
    options.out(renderForTerminal(message, { color: options.color, width: options.width }));
  };

  try {
    options.out(
      `cas-cert-bot demo: a CAS simulator with two accounts is running at ${sandbox.url}: prod (500 certificates, ${DEMO_RENEWALS} of the expiring ones already renewed) and staging (120).\nBelow is what Slack shows for each command.`,
    );
    const prod = sandbox.account('prod').dataset.certificates;
    const revoked = prod.find((c) => c.status === 'REVOKED');
    const good = prod.find((c) => c.status === 'ISSUED');
    await recordEarlierWeeks(services, sandbox.account('prod'));
    // The first sync's one summary per channel, instead of an alert for every certificate at once.
    const later = showPosted("the first sync's summary", 1);
    if (later > 0)
      options.out(
        `\n(Then ${later} alert ${later === 1 ? 'message' : 'messages'} over the three earlier weeks, as certificates were renewed and found still deployed.)`,
      );
    await command('/cert-risk', '');
    await command('/cert-risk', 'account:prod');
    await command('/cert-status', [good?.serialNo, revoked?.serialNo, '0BADC0FFEE0DDF00D'].join(' '));
    await command('/cert-list', 'expiring');
    // The outage in the making that only the inventory shows: renewed, and the old one still served.
    await command('/cert-list', 'stale account:prod');
    const stale = (await services.inventorySnapshot())?.certificates.find(
      (c) => c.account === 'prod' && c.deployment?.state === 'stale',
    );
    if (stale) await command('/cert-info', `${stale.id} account:prod`);
    // What the endpoints really serve: stale deployments show up as old, plus one name told to
    // serve a certificate CAS does not hold
    // (the valid certificate that ends first: the pass probes the soonest-ending ones first).
    const deployed = prod
      .filter((c) => c.status === 'ISSUED' && c.resources.some((r) => r.domain))
      .sort((a, b) => a.endDate.localeCompare(b.endDate))[0]
      ?.resources.find((r) => r.domain);
    if (deployed?.domain) await wireControl(sandbox.url).serve(deployed.domain, { serve: 'unmanaged' });
    await services.probePass();
    await command('/cert-list', 'drift');
    // The alert pass announces what drifted, once, in the channel its name routes to.
    await services.runAlerts({ post: true });
    showPosted('what the endpoints really serve');
    await command('/cert-risk', 'digest');

    // A certificate comes close to its end: the next sync's alert pass announces it, once.
    const soon = prod.find((c) => c.status === 'ISSUED' && c.endDate > laterDate(today(), 60));
    if (soon) {
      sandbox.account('prod').updateCertificate(soon.certificateId, { endDate: laterDate(today(), 5) });
      await services.syncAll();
      showPosted('a certificate that now ends in 5 days');
    }

    heading("App Home (the bot's Home tab, for you)");
    const view = await services.homeView('U0YOU');
    options.out(
      renderForTerminal({ text: 'App Home', blocks: view.blocks }, { color: options.color, width: options.width }),
    );

    const { chart } = await (await services.digest()).previewWithChart();
    if (chart) {
      const file = path.join(os.tmpdir(), 'cert-bot-demo-trend.png');
      fs.writeFileSync(file, chart);
      options.out(`\nThe digest's trend chart (posted in its thread in Slack) was written to ${file}`);
    }
    options.out(NEXT_STEPS);
  } finally {
    await services.stop();
    await sink.close();
    await sandbox.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Three earlier weekly digests, as a bot that had been running would have kept them: each week
 * the team renews a few expiring certificates, and the digest's numbers are read and kept
 * through the same code a digest run uses, so the trend and the Home tab have a history.
 */
async function recordEarlierWeeks(services: Services, prod: SandboxAccount): Promise<void> {
  const digest = await services.digest();
  const { snapshots } = await services.store();
  const current = digest.periodAt();
  const week = current.end.getTime() - current.start.getTime();
  const expiring = () => prod.dataset.certificates.filter((c) => c.status === 'WILLEXPIRED');
  for (const weeksAgo of [3, 2, 1]) {
    await services.syncAll();
    const period = digest.periodAt(new Date(current.start.getTime() - weeksAgo * week + 1_000));
    const data = await collectDigest(digest.deps, period, services.now());
    await snapshots.saveSnapshot(snapshotOf(data));
    for (const numbers of data.accountNumbers ?? [])
      await snapshots.saveAccountSnapshot(numbers.account, accountSnapshotOf(data, numbers));
    for (const certificate of expiring().slice(0, 12))
      prod.updateCertificate(certificate.certificateId, { endDate: laterDate(certificate.endDate, 365) });
  }
  await services.syncAll();
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function laterDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const NEXT_STEPS = `
Next steps
  1. Connect Slack: create an app from manifest.yml (README: "Slack app setup"), then set
     SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode).
  2. Connect Alibaba Cloud: create a RAM user with the least-privilege policy in the README
     and set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET
     (or use a profile, OIDC or an ECS RAM role).
  3. Optional: DIGEST_CHANNEL=C0123ABCD for the weekly digest, ADMIN_USER_IDS for /cert-assign.
  4. Start it: npm start (or docker run, see the README). cp .env.example .env to begin.
`;
