import { spawnSandbox } from '../../src/sandbox';
import { busiestWindow, clientFor } from '../helpers/cas';

/*
 * Timing-sensitive: the simulator judges one-second windows by when requests arrive, so this
 * file runs in the separate, serial jest pass (jest.timing.config.js) where no other suite
 * competes for the two cores.
 */
describe('rate limit', () => {
  test('a 300-call burst stays inside the QPS window: zero throttled answers', async () => {
    // The simulator runs in its own process, as CAS does, so its clock of arrivals is not
    // distorted by this process's event loop.
    const remote = await spawnSandbox({ certs: 300, seed: 7, qps: 50 });
    const client = clientFor({ url: remote.url }, { qps: 50, cacheTtlSeconds: 0 });
    try {
      // Distinct pages so nothing is coalesced: 300 real upstream calls.
      await Promise.all(
        Array.from({ length: 300 }, (_, i) => client.listCertificatePage({ orderType: 'CERT', pageSize: 1 }, i + 1)),
      );
      const stats = await remote.stats();
      expect({ calls: stats.calls, throttled: stats.throttled }).toEqual({ calls: 300, throttled: 0 });
      expect(busiestWindow(await remote.calls())).toBeLessThanOrEqual(50);
    } finally {
      await client.close();
      await remote.close();
    }
  }, 30_000);
});
