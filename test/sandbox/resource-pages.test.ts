import {
  addResource,
  generateDataset,
  moveResource,
  removeCertificate,
  removeResource,
  updateCertificate,
} from '../../src/sandbox';
import { allResources } from '../../src/sandbox/cloud-resources';
import type { Dataset } from '../../src/sandbox/dataset';
import { OPERATIONS } from '../../src/sandbox/operations';

/**
 * ListCloudResources keeps its sorted list between pages (a sync of 100,000 certificates asks
 * for 3,700 of them). Every page must be what a list built afresh gives, and an edit of any
 * kind must show in the next page.
 */
const list = OPERATIONS.ListCloudResources;

type Row = { Id: number; CertId: number; CertName: string; CertEndTime: string; CloudProduct: string };
type Page = { Total: number; Data: Row[] };

function everyRow(dataset: Dataset, params: Record<string, string> = {}): { total: number; rows: Row[] } {
  const rows: Row[] = [];
  let total = 0;
  for (let page = 1; page <= 400; page++) {
    const answer = list.handle({ ...params, CurrentPage: String(page), ShowSize: '50' }, dataset, 0) as unknown as Page;
    total = answer.Total;
    rows.push(...answer.Data);
    if (page * 50 >= answer.Total) break;
  }
  return { total, rows };
}

/** What the simulator answered before it kept the list: built and sorted from the data set as it is now. */
function expected(dataset: Dataset): Array<Pick<Row, 'Id' | 'CertId' | 'CertName'>> {
  return dataset.certificates
    .flatMap((cert) => cert.resources.map((resource) => ({ resource, cert })))
    .sort((a, b) => a.resource.id - b.resource.id)
    .map(({ resource, cert }) => ({ Id: resource.id, CertId: cert.certificateId, CertName: cert.name }));
}

const summary = (rows: Row[]) => rows.map(({ Id, CertId, CertName }) => ({ Id, CertId, CertName }));

function checkPages(dataset: Dataset): Row[] {
  const { total, rows } = everyRow(dataset);
  expect(summary(rows)).toEqual(expected(dataset));
  expect(total).toBe(rows.length);
  return rows;
}

test('pages come from one kept list while nothing changes, and equal a list built afresh', () => {
  const dataset = generateDataset({ count: 400, seed: 5, profile: 'mixed' });
  const first = allResources(dataset.certificates);
  expect(allResources(dataset.certificates)).toBe(first);
  const rows = checkPages(dataset);
  expect(rows.length).toBeGreaterThan(200);
  // Still the one list after paging through everything.
  expect(allResources(dataset.certificates)).toBe(first);
  // Filters still apply to the kept list.
  const slb = everyRow(dataset, { CloudProduct: 'SLB' });
  expect(slb.rows.map((r) => r.Id)).toEqual(rows.filter((r) => r.CloudProduct === 'SLB').map((r) => r.Id));
  expect(slb.total).toBeLessThan(rows.length);
});

test('every kind of edit shows in the next page', () => {
  const dataset = generateDataset({ count: 300, seed: 9, profile: 'mixed' });
  const before = checkPages(dataset);
  const served = dataset.certificates.filter((c) => c.resources.length > 0 && c.status !== 'REVOKED');

  // Moved through the edit: listed under its new certificate, in the same place.
  const moved = before[7];
  const target = served.find((c) => c.certificateId !== moved.CertId);
  if (!target) throw new Error('no certificate to move the resource to');
  moveResource(dataset, moved.Id, { certificateId: target.certificateId });
  const afterMove = checkPages(dataset);
  expect(afterMove.find((r) => r.Id === moved.Id)?.CertId).toBe(target.certificateId);

  // A certificate's name and dates changed in place: its rows say so.
  const renamed = served[3];
  updateCertificate(dataset, renamed.certificateId, { name: 'renamed-in-place', endDate: '2031-01-02' });
  const afterRename = checkPages(dataset);
  const renamedRows = afterRename.filter((r) => r.CertId === renamed.certificateId);
  expect(renamedRows.length).toBeGreaterThan(0);
  expect(renamedRows.every((r) => r.CertName === 'renamed-in-place')).toBe(true);
  const end = Date.parse('2031-01-02T00:00:00Z');
  // In seconds or milliseconds, per resource, as upstream.
  expect(renamedRows.every((r) => [String(end), String(end / 1000)].includes(r.CertEndTime))).toBe(true);

  // Added with an ID below every other, removed, and the certificate removed with its resources.
  const added = addResource(dataset, { certificateId: served[5].certificateId, id: 1_000, product: 'CDN' });
  expect(checkPages(dataset)[0].Id).toBe(added.id);
  removeResource(dataset, before[2].Id);
  expect(checkPages(dataset).some((r) => r.Id === before[2].Id)).toBe(false);
  removeCertificate(dataset, served[10].certificateId);
  expect(checkPages(dataset).some((r) => r.CertId === served[10].certificateId)).toBe(false);

  // Changed behind the edits' back (as a test or a deployment job may): seen all the same.
  const holder = served[12];
  const taken = holder.resources.pop();
  if (!taken) throw new Error('a served certificate without resources');
  served[13].resources.unshift(taken);
  expect(checkPages(dataset).find((r) => r.Id === taken.id)?.CertId).toBe(served[13].certificateId);
  dataset.certificates = dataset.certificates.slice(0, 100);
  checkPages(dataset);
});
