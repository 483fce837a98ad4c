import { BUTTONS } from '../../src/slack/button-codecs';
import { AppHarness, USER } from '../helpers/app-harness';

/*
 * Words a person controls (a button value edited in transit, an `account:` word) are echoed back
 * escaped, in the blocks and in the fallback text, which Slack turns into notifications.
 */

const MENTIONS = /<!channel>|<!here>|<@U0EVIL>/;
let h: AppHarness;

beforeAll(async () => {
  h = await new AppHarness().start();
  await h.services.syncNow();
}, 60_000);
afterAll(() => h.stop());

test('an Acknowledge button whose certificate ID was changed to a mention is answered without pinging anyone', async () => {
  const value = BUTTONS.alertAcknowledge.encode({ account: 'default', id: '<!channel>' });
  const { answer } = await h.press(BUTTONS.alertAcknowledge.actionId, value, USER);
  expect(answer.text).toContain('is not in the inventory any more');
  expect(JSON.stringify(answer)).not.toMatch(MENTIONS);
});

test('an account word that is a mention is named escaped, in the blocks and in the fallback text', async () => {
  const { answer } = await h.command('/cert-list', 'expiring account:<!here><@U0EVIL>');
  expect(answer.text).toMatch(/There is no account/);
  expect(answer.text).toContain('&lt;!here&gt;');
  expect(JSON.stringify(answer)).not.toMatch(MENTIONS);
});
