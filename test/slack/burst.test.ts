import { AppHarness, USER, visibleText } from '../helpers/app-harness';
import { commandForm, postSigned } from '../helpers/slack-requests';

let h: AppHarness;
beforeAll(async () => {
  h = await new AppHarness().start();
});
afterAll(() => h.stop());

test('a burst of more distinct listings than the listing cache holds makes answers slower, never failed', async () => {
  const count = 150;
  const ids = Array.from({ length: count }, () => h.nextResponseId());
  const sent = await Promise.all(
    ids.map((id, i) =>
      postSigned(
        h.eventsUrl,
        commandForm({
          command: '/cert-list',
          text: `expiring host${i}`,
          user_id: USER,
          response_url: h.slack.responseUrl(id),
        }),
      ),
    ),
  );
  expect(sent.every((res) => res.status === 200)).toBe(true);
  const answers = await Promise.all(ids.map((id) => h.slack.waitForResponse(id, 0, 25_000)));
  const failed = answers.filter((a) => /went wrong|Could not list/.test(visibleText(a.body as { blocks: unknown[] })));
  expect(failed).toHaveLength(0);
  for (const answer of answers) expect(String(answer.body.text)).toMatch(/expiring certificates/i);
}, 40_000);
