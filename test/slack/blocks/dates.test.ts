import { renderForTerminal } from '../../../src/render/terminal';
import { context } from '../../../src/slack/blocks/builders';
import { slackDateTime, slackTime } from '../../../src/slack/blocks/dates';
import { renderStatusResults } from '../../../src/slack/blocks/status';

const AT = new Date(Date.UTC(2026, 11, 5, 14, 32, 45));
const SECONDS = Math.floor(AT.getTime() / 1000);

test('Slack shows each reader their own zone; the fallback is UTC and says so', () => {
  expect(slackDateTime(AT)).toBe(`<!date^${SECONDS}^{date_short_pretty} {time}|2026-12-05 14:32 UTC>`);
  // Epoch milliseconds and CAS's time strings alike.
  expect(slackDateTime(AT.getTime())).toBe(slackDateTime(AT));
  expect(slackDateTime('2026-12-05 14:32:45')).toBe(slackDateTime(AT));
  expect(slackTime(AT)).toBe(`<!date^${SECONDS}^{time}|14:32 UTC>`);
});

test('a time that cannot be read is said so, without a token', () => {
  expect(slackDateTime('not a time')).toBe('unknown time');
  expect(slackTime(new Date(Number.NaN))).toBe('unknown time');
});

test('the terminal (cert-bot and the demo) shows the UTC fallback', () => {
  const message = { text: 'x', blocks: [context([`Checked ${slackDateTime(AT)} · as of ${slackTime(AT)}`])] };
  expect(renderForTerminal(message, { color: false })).toContain('Checked 2026-12-05 14:32 UTC · as of 14:32 UTC');
});

test("an answer's notification text stays plain UTC: tokens only in its blocks", () => {
  const message = renderStatusResults({
    results: [{ SerialNumber: 'DEADBEEF', Status: 'revoked', RevokeTime: AT.getTime() }],
    invalid: [],
    now: AT,
  });
  expect(message.text).not.toContain('<!date');
  expect(JSON.stringify(message.blocks)).toContain(
    `<!date^${SECONDS}^{date_short_pretty} {time}|2026-12-05 14:32 UTC>`,
  );
});
