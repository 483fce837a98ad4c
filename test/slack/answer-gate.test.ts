import { createAnswerGate } from '../../src/slack/answer-gate';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('answer gate: acknowledgements before answer work', () => {
  test('with no requests arriving, an answer gets its turn at once', async () => {
    const gate = createAnswerGate({ idleMs: 5 });
    const started = performance.now();
    await gate.turn();
    expect(performance.now() - started).toBeLessThan(20);
  });

  test('while requests keep arriving, answers wait until the burst is over', async () => {
    const gate = createAnswerGate({ idleMs: 20, maxWaitMs: 5_000 });
    let burstOver = false;
    const burst = (async () => {
      for (let i = 0; i < 20; i++) {
        gate.requestArrived();
        await sleep(5);
      }
      burstOver = true;
    })();
    await sleep(1);
    await gate.turn();
    expect(burstOver).toBe(true);
    await burst;
  });

  test('no answer waits longer than maxWaitMs, however long the burst', async () => {
    const gate = createAnswerGate({ idleMs: 50, maxWaitMs: 100 });
    let stop = false;
    const burst = (async () => {
      while (!stop) {
        gate.requestArrived();
        await sleep(2);
      }
    })();
    const started = performance.now();
    await gate.turn();
    const waited = performance.now() - started;
    stop = true;
    await burst;
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(400);
  });

  test('waiting answers are released in order, one per turn of the event loop', async () => {
    const gate = createAnswerGate({ idleMs: 1 });
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => gate.turn().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
  });
});
