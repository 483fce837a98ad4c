import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN, AppHarness, buttons, OTHER_ADMIN, visibleText } from '../helpers/app-harness';

/**
 * /cert-assign's confirmation lives on the server: the buttons carry a nonce, Confirm claims
 * it once in the store, and the stored request is checked again when it is confirmed.
 */
const harnesses: AppHarness[] = [];
async function harness(dataDir?: string): Promise<AppHarness> {
  const h = await new AppHarness(dataDir).start();
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(
    harnesses
      .splice(0)
      .reverse()
      .map((h) => h.stop()),
  );
});

const assignCalls = (h: AppHarness) => h.sandbox.calls.filter((c) => c.action === 'AssignCertificateCount');

async function requestAssignment(h: AppHarness, text: string) {
  const { answer } = await h.command('/cert-assign', text, ADMIN);
  const confirm = buttons(answer).find((b) => b.action_id === 'cert_assign_confirm');
  const cancel = buttons(answer).find((b) => b.action_id === 'cert_assign_cancel');
  if (!confirm?.value || !cancel?.value) throw new Error(`no confirmation in: ${visibleText(answer)}`);
  return { answer, confirm: confirm.value, cancel: cancel.value };
}

test('the buttons carry only a nonce, never the ID or the count', async () => {
  const h = await harness();
  const { confirm, answer } = await requestAssignment(h, '33285 7');
  expect(Object.keys(JSON.parse(confirm))).toEqual(['nonce']);
  expect(confirm).not.toContain('33285');
  expect(visibleText(answer)).toContain('33285');
});

test('an ID beyond 2^53 is kept exact all the way to CAS', async () => {
  const h = await harness();
  const { confirm, answer } = await requestAssignment(h, '9007199254740993 7');
  expect(visibleText(answer)).toContain('9007199254740993');
  const done = await h.press('cert_assign_confirm', confirm, ADMIN);
  expect(done.answer.replace_original).toBe(true);
  expect(assignCalls(h)).toHaveLength(1);
  expect(assignCalls(h)[0].query).toMatchObject({ Id: '9007199254740993', CertTotalCount: '7' });
  // The simulator has no such data source (its neighbour 9007199254740992 would not be it either).
  expect(visibleText(done.answer)).toContain('NotFound');
  const audited = (await h.store.audit.list(1))[0];
  expect(audited).toMatchObject({ outcome: 'failed', details: { dataSourceId: '9007199254740993', count: 7 } });
});

test('Confirm pressed twice runs AssignCertificateCount once and says it was already done', async () => {
  const h = await harness();
  const { confirm } = await requestAssignment(h, '33285 7');
  const [a, b] = await Promise.all([
    h.press('cert_assign_confirm', confirm, ADMIN),
    h.press('cert_assign_confirm', confirm, ADMIN),
  ]);
  expect(assignCalls(h)).toHaveLength(1);
  const texts = [visibleText(a.answer), visibleText(b.answer)];
  expect(texts.filter((t) => /already carried out|being carried out/.test(t))).toHaveLength(1);
  const confirmed = (await h.store.audit.list(10)).filter((e) => e.outcome === 'confirmed');
  expect(confirmed).toHaveLength(1);
});

test('a Confirm replayed after a restart on the same data does not run again', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-restart-'));
  const first = await harness(dataDir);
  const { confirm } = await requestAssignment(first, '33285 7');
  await first.press('cert_assign_confirm', confirm, ADMIN);
  expect(assignCalls(first)).toHaveLength(1);
  await first.stop();
  harnesses.splice(harnesses.indexOf(first), 1);

  const restarted = await harness(dataDir);
  const replay = await restarted.press('cert_assign_confirm', confirm, ADMIN);
  expect(visibleText(replay.answer)).toContain('already carried out');
  expect(assignCalls(restarted)).toHaveLength(0);
  const succeeded = (await restarted.store.audit.list(20)).filter((e) => e.outcome === 'succeeded');
  expect(succeeded).toHaveLength(1);
});

test('two replicas on one store: Confirm sent to both runs once', async () => {
  const a = await harness();
  const b = await harness(a.dataDir);
  const { confirm } = await requestAssignment(a, '33285 7');
  await Promise.all([a.press('cert_assign_confirm', confirm, ADMIN), b.press('cert_assign_confirm', confirm, ADMIN)]);
  expect(assignCalls(a).length + assignCalls(b).length).toBe(1);
});

test('Cancel after Confirm changes nothing more; Confirm after Cancel does not run', async () => {
  const h = await harness();
  const first = await requestAssignment(h, '33285 7');
  await h.press('cert_assign_cancel', first.cancel, ADMIN);
  const late = await h.press('cert_assign_confirm', first.confirm, ADMIN);
  expect(visibleText(late.answer)).toContain('was cancelled');
  expect(assignCalls(h)).toHaveLength(0);
});

test('a value that is not a nonce, or an unknown nonce, is one clear answer and changes nothing', async () => {
  const h = await harness();
  // The value older versions put in the button: the ID and count are no longer taken from it.
  const forged = await h.press('cert_assign_confirm', JSON.stringify({ id: 33285, count: 99999, admin: ADMIN }), ADMIN);
  expect(forged.answer.replace_original).toBe(false);
  expect(visibleText(forged.answer)).toContain('could not be used');
  const unknown = await h.press('cert_assign_confirm', JSON.stringify({ nonce: 'AAAAAAAAAAAAAAAAAAAAAAAA' }), ADMIN);
  expect(visibleText(unknown.answer)).toContain('unknown');
  expect(assignCalls(h)).toHaveLength(0);
  const outcomes = (await h.store.audit.list(10)).map((e) => e.outcome);
  expect(outcomes).toEqual(['denied', 'denied']);
});

test('another admin cannot use the requester’s nonce', async () => {
  const h = await harness();
  const { confirm } = await requestAssignment(h, '33285 7');
  const other = await h.press('cert_assign_confirm', confirm, OTHER_ADMIN);
  expect(other.answer.replace_original).toBe(false);
  expect(visibleText(other.answer)).toContain(`<@${ADMIN}>`);
  expect(assignCalls(h)).toHaveLength(0);
});

test('an expired confirmation is refused', async () => {
  let now = new Date();
  const h = await new AppHarness().start({ now: () => now });
  harnesses.push(h);
  const { confirm } = await requestAssignment(h, '33285 7');
  now = new Date(now.getTime() + 16 * 60_000);
  const late = await h.press('cert_assign_confirm', confirm, ADMIN);
  expect(visibleText(late.answer)).toContain('expired');
  expect(assignCalls(h)).toHaveLength(0);
});
