import { generateDataset, moveResource } from '../../src/sandbox';
import * as cloudResources from '../../src/sandbox/cloud-resources';
import { OPERATIONS } from '../../src/sandbox/operations';

/**
 * bench:inventory's serving part preloads bench/sim-resource-index into its simulator so a page
 * of ListCloudResources does not sort every resource again. The bot must see exactly what the
 * simulator answers without it, and an edit must show at once.
 */
const list = OPERATIONS.ListCloudResources;

type Page = { Total: number; Data: Array<{ Id: number; CertId: number }> };

function everyPage(dataset: ReturnType<typeof generateDataset>): Page[] {
  const pages: Page[] = [];
  for (let page = 1; page <= 200; page++) {
    const answer = list.handle({ CurrentPage: String(page), ShowSize: '50' }, dataset, 0) as unknown as Page;
    pages.push(answer);
    if (page * 50 >= answer.Total) break;
  }
  return pages;
}

test('pages are the same with the index preloaded, and a moved resource is listed under its new certificate', async () => {
  const dataset = generateDataset({ count: 400, seed: 5, profile: 'mixed' });
  const before = everyPage(dataset);
  expect(before[0].Total).toBeGreaterThan(200);

  expect(cloudResources.allResources(dataset.certificates)).not.toBe(cloudResources.allResources(dataset.certificates));
  await import('../../bench/sim-resource-index');
  // In effect: the list is kept, not built again.
  expect(cloudResources.allResources(dataset.certificates)).toBe(cloudResources.allResources(dataset.certificates));
  expect(everyPage(dataset)).toEqual(before);
  // Asked again: still the same rows (from the kept list).
  expect(everyPage(dataset)).toEqual(before);

  const moved = before[1].Data[3];
  const target = dataset.certificates.find((c) => c.certificateId !== moved.CertId && c.status !== 'REVOKED');
  if (!target) throw new Error('no certificate to move the resource to');
  moveResource(dataset, moved.Id, { certificateId: target.certificateId });
  const after = everyPage(dataset).flatMap((page) => page.Data);
  expect(after.find((row) => row.Id === moved.Id)?.CertId).toBe(target.certificateId);
  expect(after.map((row) => row.Id)).toEqual(before.flatMap((page) => page.Data).map((row) => row.Id));
});
