import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { silentLogger } from '../ops/logger';
import { renderForTerminal } from '../render/terminal';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, startSandbox } from '../sandbox';
import { createServices } from '../services';
import { signedFormHeaders } from './request-signing';
import { startResponseSink } from './response-sink';

/** Expiring certificates the demo account has already renewed (as `cert-bot sandbox` does). */
const DEMO_RENEWALS = 20;

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
  const sandbox = await startSandbox({ certs: 500, replacedPairs: DEMO_RENEWALS });
  const sink = await startResponseSink();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-demo-'));
  const signingSecret = crypto.randomBytes(16).toString('hex');
  const config = loadConfig({
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    DATA_DIR: dataDir,
    SLACK_BOT_TOKEN: 'xoxb-demo',
    SLACK_SIGNING_SECRET: signingSecret,
    PORT: '0',
  });
  // Known identity: Bolt skips auth.test, so the demo never calls slack.com.
  const services = createServices(config, {
    logger: silentLogger(),
    botIdentity: { botId: 'B0DEMO', botUserId: 'U0DEMO' },
  });
  const { port } = await services.start();

  let counter = 0;
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
    const rule = '━'.repeat(Math.min(options.width, 72));
    options.out(`\n${rule}\n  ${name}${text ? ` ${text}` : ''}\n${rule}\n`);
    options.out(renderForTerminal(message, { color: options.color, width: options.width }));
  };

  try {
    options.out(
      `cas-cert-bot demo: a CAS simulator with 500 certificates (and ${DEMO_RENEWALS} renewals of expiring ones) is running at ${sandbox.url}.\nBelow is what Slack shows for each command.`,
    );
    const revoked = sandbox.dataset.certificates.find((c) => c.status === 'REVOKED');
    const good = sandbox.dataset.certificates.find((c) => c.status === 'ISSUED');
    await command('/cert-risk', '');
    await command('/cert-status', [good?.serialNo, revoked?.serialNo, '0BADC0FFEE0DDF00D'].join(' '));
    await command('/cert-list', 'expiring');
    await command('/cert-risk', 'digest');
    options.out(NEXT_STEPS);
  } finally {
    await services.stop();
    await sink.close();
    await sandbox.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
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
