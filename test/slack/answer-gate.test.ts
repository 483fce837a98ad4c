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
    // On the fake clock, so a busy machine cannot stretch the gaps of the burst past idleMs.
    jest.useFakeTimers();
    try {
      const gate = createAnswerGate({ idleMs: 20, maxWaitMs: 5_000, now: () => Date.now() });
      let answered = false;
      gate.requestArrived();
      const turn = gate.turn().then(() => {
        answered = true;
      });
      for (let i = 0; i < 20; i++) {
        await jest.advanceTimersByTimeAsync(5);
        expect(answered).toBe(false);
        gate.requestArrived();
      }
      await jest.advanceTimersByTimeAsync(19);
      expect(answered).toBe(false);
      await jest.advanceTimersByTimeAsync(2);
      expect(answered).toBe(true);
      await turn;
    } finally {
      jest.useRealTimers();
    }
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
