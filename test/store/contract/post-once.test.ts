import {
  claimPosts,
  type Granted,
  type PostItem,
  postClaimed,
  postOnce,
  type PostSteps,
} from '../../../src/delivery/post-once';
import type { ClaimKey, Store } from '../../../src/store/types';
import { describeContract, later, T0 } from './backends';

/**
 * postOnce on each claim store: claim, look for an earlier post, post, finish or release. The
 * channel is a list the steps write to and search, as Slack's history is searched by metadata.
 */
const LEASE = 60_000;
const key = (subject: string): ClaimKey => ({ kind: 'test-post', subject, period: 'P1' });
const item = (subject: string): PostItem => ({ key: key(subject) });

/** Slack's answer lost after the post was carried out (a reset): the outcome is unknown. */
const reset = () =>
  Object.assign(new Error('An HTTP protocol error occurred: fetch failed'), {
    code: 'slack_webapi_request_error',
    original: Object.assign(new Error('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } }),
  });
const refusedBySlack = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), { code: 'slack_webapi_platform_error', data: { error } });

/** A channel: what was posted, and steps that post to it with some answers lost or refused. */
function channel() {
  const posted: Array<{ ts: string; keys: string[] }> = [];
  const faults = { lostAnswers: 0, failedLooks: 0, refusals: [] as unknown[] };
  const steps: PostSteps<PostItem, string> = {
    leaseMs: LEASE,
    async find(granted) {
      if (faults.failedLooks > 0) {
        faults.failedLooks -= 1;
        throw reset();
      }
      const wanted = new Set(granted.map((g) => g.item.key.subject));
      return posted.find((p) => p.keys.some((k) => wanted.has(k)))?.ts;
    },
    async post(granted) {
      const refusal = faults.refusals.shift();
      if (refusal) throw refusal;
      const ts = `${1700000000 + posted.length}.000100`;
      posted.push({ ts, keys: granted.map((g) => g.item.key.subject) });
      if (faults.lostAnswers > 0) {
        faults.lostAnswers -= 1;
        throw reset();
      }
      return ts;
    },
    record: (ts) => ({ status: 'posted', result: { ts } }),
    refused: () => 'release',
  };
  return { posted, faults, steps };
}

const deps = (store: Store, holder = 'host-a:1', now = () => T0) => ({
  claims: store.claims,
  holder,
  now,
  retry: { baseDelayMs: 1, maxDelayMs: 4, forMs: 60_000 },
  sleep: async () => undefined,
});

describeContract('postOnce', ({ store, another }) => {
  test('posts once and records the post; the same items are not posted again', async () => {
    const { posted, steps } = channel();
    const first = await postOnce(deps(store()), [item('a'), item('b')], steps);
    expect(first).toMatchObject({ status: 'posted', found: false });
    expect(posted).toHaveLength(1);
    expect(await store().claims.get(key('a'))).toMatchObject({ status: 'posted', result: { ts: posted[0].ts } });
    expect(await postOnce(deps(await another(), 'host-b:2'), [item('a'), item('b')], steps)).toEqual({
      status: 'skipped',
    });
    expect(posted).toHaveLength(1);
  });

  test('an answer lost after Slack posted: the post is found and not sent again', async () => {
    const { posted, faults, steps } = channel();
    faults.lostAnswers = 1;
    const outcome = await postOnce(deps(store()), [item('a')], steps);
    expect(outcome).toMatchObject({ status: 'posted', found: true, post: posted[0].ts });
    expect(posted).toHaveLength(1);
    expect(await store().claims.get(key('a'))).toMatchObject({ status: 'posted', attempts: 1 });
  });

  test('an answer lost, and the look unanswered too: the look is tried again, never skipped', async () => {
    const { posted, faults, steps } = channel();
    faults.lostAnswers = 1;
    faults.failedLooks = 3;
    const outcome = await postOnce(deps(store()), [item('a')], steps);
    expect(outcome).toMatchObject({ status: 'posted', found: true });
    expect(posted).toHaveLength(1);
  });

  test('no answer within the retry time: the claim goes back, and the next holder looks first', async () => {
    const { posted, faults, steps } = channel();
    faults.lostAnswers = 1;
    faults.failedLooks = 1_000;
    let clock = T0.getTime();
    const ticking = () => new Date((clock += 1_000));
    const outcome = await postOnce(
      { ...deps(store(), 'host-a:1', ticking), retry: { baseDelayMs: 1, maxDelayMs: 4, forMs: 5_000 } },
      [item('a')],
      steps,
    );
    expect(outcome).toMatchObject({ status: 'unresolved', released: true });
    expect(await store().claims.get(key('a'))).toMatchObject({ status: 'released' });
    expect(posted).toHaveLength(1);

    faults.failedLooks = 0;
    const next = await postOnce(
      deps(await another(), 'host-b:2', () => later(60_000)),
      [item('a')],
      steps,
    );
    expect(next).toMatchObject({ status: 'posted', found: true });
    expect(posted).toHaveLength(1);
    expect(await store().claims.get(key('a'))).toMatchObject({ status: 'posted', attempts: 2, holder: 'host-b:2' });
  });

  test('killed after Slack accepted the post, before it was recorded: the takeover finds it', async () => {
    const { posted, steps } = channel();
    // The first holder claims and posts, then dies: no finish, no release, no lease renewal.
    const [dead] = await claimPosts(deps(store(), 'host-a:1'), [item('a')], { leaseMs: LEASE });
    await steps.post([dead as Granted<PostItem>]);
    expect(posted).toHaveLength(1);

    const replica = deps(await another(), 'host-b:2', () => later(LEASE / 2));
    expect(await postOnce(replica, [item('a')], steps)).toEqual({ status: 'skipped' });

    const afterLease = deps(await another(), 'host-b:2', () => later(LEASE + 1));
    const outcome = await postOnce(afterLease, [item('a')], steps);
    expect(outcome).toMatchObject({ status: 'posted', found: true, post: posted[0].ts });
    expect(posted).toHaveLength(1);
    expect(await store().claims.get(key('a'))).toMatchObject({ status: 'posted', attempts: 2, holder: 'host-b:2' });
  });

  test('refused by Slack: released for a later run, or finished for good, as the caller says', async () => {
    const { posted, faults, steps } = channel();
    faults.refusals.push(refusedBySlack('ratelimited_but_not_really'));
    const released = await postOnce(deps(store()), [item('a')], steps);
    expect(released).toMatchObject({ status: 'refused', released: true });
    expect(await store().claims.get(key('a'))).toMatchObject({ status: 'released' });

    faults.refusals.push(refusedBySlack('not_in_channel'));
    const finished = await postOnce(deps(store()), [item('b')], {
      ...steps,
      refused: () => ({ status: 'failed', error: 'not_in_channel: invite the bot' }),
    });
    expect(finished).toMatchObject({ status: 'refused', released: false });
    expect(await store().claims.get(key('b'))).toMatchObject({
      status: 'failed',
      error: 'not_in_channel: invite the bot',
    });
    expect(await postOnce(deps(store()), [item('b')], steps)).toEqual({ status: 'skipped' });
    expect(posted).toHaveLength(0);
  });

  test('a rate limit is waited out without a look: nothing was posted', async () => {
    const { posted, faults, steps } = channel();
    faults.refusals.push(
      Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 1 }),
    );
    const waits: number[] = [];
    let looks = 0;
    const outcome = await postOnce(
      { ...deps(store()), sleep: async (ms: number) => void waits.push(ms) },
      [item('a')],
      {
        ...steps,
        find: async (granted) => {
          looks += 1;
          return steps.find(granted);
        },
      },
    );
    expect(outcome).toMatchObject({ status: 'posted', found: false });
    expect(waits).toEqual([1_000]);
    expect(looks).toBe(0);
    expect(posted).toHaveLength(1);
  });

  test('a key taken along is claimed when free and finished with its item', async () => {
    const { steps } = channel();
    await store().claims.claim({ ...key('held'), holder: 'host-c:3', now: T0, leaseMs: LEASE });
    const [granted] = await claimPosts(deps(store()), [{ key: key('a'), also: [key('covers'), key('held')] }], {
      leaseMs: LEASE,
    });
    expect(granted.keys).toEqual([key('a'), key('covers')]);
    await postClaimed(deps(store()), [granted], steps);
    expect(await store().claims.get(key('covers'))).toMatchObject({ status: 'posted' });
    expect(await store().claims.get(key('held'))).toMatchObject({ status: 'claimed', holder: 'host-c:3' });
  });
});
