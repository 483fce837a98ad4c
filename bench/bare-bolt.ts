/**
 * The floor for `npm run bench:slack`: a Bolt app with the same receiver settings as cert-bot's
 * HTTP mode whose command handlers only ack. Whatever ack latency it shows under the bench's load
 * is what Bolt, Node and this machine cost before the bot does any work of its own.
 *
 * Run as a child process: PORT, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL.
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const port = Number(required('PORT'));
  const receiver = new HTTPReceiver({
    signingSecret: required('SLACK_SIGNING_SECRET'),
    endpoints: '/slack/events',
    processBeforeResponse: false,
    logLevel: LogLevel.WARN,
  });
  // Like `cert-bot serve`: no bot IDs given, so Bolt runs auth.test against the fake Slack.
  const app = new App({
    token: required('SLACK_BOT_TOKEN'),
    receiver,
    logLevel: LogLevel.WARN,
    clientOptions: { slackApiUrl: required('SLACK_API_URL') },
  });
  app.command('/cert-risk', async ({ ack }) => {
    await ack();
  });
  app.command('/cert-status', async ({ ack }) => {
    await ack();
  });
  await app.start(port);
  process.stdout.write(`bare Bolt app listening on port ${port}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await app.stop();
}

main().catch((error: unknown) => {
  process.stderr.write(`bare-bolt: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
