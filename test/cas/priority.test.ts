import type { CasClient } from '../../src/cas/client';
import type { CallPriority } from '../../src/cas/types';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { clientFor } from '../helpers/cas';

/*
 * Priorities through the real local limiter against the simulator: one call at a time, ten a
 * second, so queued calls leave the queue one by one and their order shows in the call log.
 */
const BULK_PAGES = 12;

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ certs: 200, seed: 11, qps: 1_000 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.resetCalls());

/** Queues BULK_PAGES list pages at `priority`, then, once the first is sent, one status lookup. */
async function pagesThenStatus(client: CasClient, priority?: CallPriority) {
  const filter = { orderType: 'CERT' as const, pageSize: 5, priority };
  const pages = Promise.all(Array.from({ length: BULK_PAGES }, (_, i) => client.listCertificatePage(filter, i + 1)));
  while (sandbox.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const status = await client.getCertificateStatus(sandbox.dataset.certificates[0].serialNo);
  await pages;
  const actions = sandbox.calls.map((call) => call.action);
  const statusAt = actions.indexOf('DescribeClientCertificateStatusForSerialNumber');
  return { status, statusAt, pagesAfter: actions.slice(statusAt + 1).length, total: actions.length };
}

test('a status lookup queued behind bulk pages is sent before the bulk pages still waiting', async () => {
  const client = clientFor(sandbox, { qps: 10, maxConcurrent: 1 });
  try {
    const { status, statusAt, pagesAfter, total } = await pagesThenStatus(client, 'bulk');
    expect(status.Status).toBe('good');
    expect(total).toBe(BULK_PAGES + 1);
    // Sent once the page in flight (and any sent during the lookup's batching window, a few
    // more on a busy machine) is done; the other bulk pages wait behind it. Without priorities
    // it would be the last call (index 12).
    expect(pagesAfter).toBeGreaterThanOrEqual(BULK_PAGES - 6);
    expect(statusAt).toBeLessThanOrEqual(6);
  } finally {
    await client.close();
  }
});

test('pages at the default (interactive) priority keep their place ahead of a later status lookup', async () => {
  const client = clientFor(sandbox, { qps: 10, maxConcurrent: 1 });
  try {
    const { statusAt, pagesAfter } = await pagesThenStatus(client);
    expect(statusAt).toBe(BULK_PAGES);
    expect(pagesAfter).toBe(0);
  } finally {
    await client.close();
  }
});

test('a bulk listing passes its priority to every page, and an interactive read overtakes it', async () => {
  const client = clientFor(sandbox, { qps: 10, maxConcurrent: 1 });
  try {
    let listed = 0;
    const listing = (async () => {
      for await (const _ of client.listCertificates({ orderType: 'CERT', pageSize: 10, priority: 'bulk' })) listed++;
    })();
    // Once the second page is sent, the first has answered and every other page is queued.
    while (sandbox.calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await client.listCertificatePage({ orderType: 'CERT', status: 'EXPIRED', pageSize: 10 }, 1);
    await listing;

    const valid = sandbox.dataset.certificates.filter((c) => c.status === 'ISSUED' || c.status === 'WILLEXPIRED');
    const bulkPages = Math.ceil(valid.length / 10);
    expect(listed).toBe(valid.length);
    const statuses = sandbox.calls.map((call) => call.query.Status ?? 'valid');
    expect(statuses).toHaveLength(bulkPages + 1);
    const interactiveAt = statuses.indexOf('EXPIRED');
    expect(interactiveAt).toBeLessThanOrEqual(4);
    expect(statuses.length - interactiveAt - 1).toBeGreaterThanOrEqual(bulkPages - 4);
  } finally {
    await client.close();
  }
});
