import { type Sandbox, startSandbox } from '../../src/sandbox';
import { FakeSlack } from './fake-slack';

/** What a bot under test talks to: the CAS simulator and the fake Slack Web API, both on 127.0.0.1. */
export interface Stack {
  sandbox: Sandbox;
  slack: FakeSlack;
}

/**
 * A fresh simulator (`certs` certificates of data set `seed`, 100 calls a second) and a fresh
 * fake Slack for each test, stopped after it. `use` hands them to the test file's own variables
 * before each test, so the tests keep using `sandbox` and `slack` (the bot comes from
 * bot-harness.ts: `startTestBot(botEnv(sandbox, slack, …))`).
 */
export function useStack(data: { certs: number; seed: number }, use: (stack: Stack) => void): void {
  let sandbox: Sandbox | undefined;
  let slack: FakeSlack | undefined;
  beforeEach(async () => {
    sandbox = await startSandbox({ certs: data.certs, seed: data.seed, qps: 100 });
    slack = await new FakeSlack().start();
    use({ sandbox, slack });
  });
  afterEach(async () => {
    await slack?.stop();
    await sandbox?.close();
    sandbox = undefined;
    slack = undefined;
  });
}
