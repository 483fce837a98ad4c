import { certificateFromOrder } from '../../src/domain/certificate';
import { findReplacements } from '../../src/domain/replacement';
import { fingerprintsOf } from '../../src/sandbox/wire/leaf';
import {
  assetCounts,
  DAY_MS,
  formatDate,
  generateDataset,
  healthScore,
  riskCounts,
  type SandboxCertStatus,
  setCertificateStatus,
} from '../../src/sandbox/dataset';

const NOW = Date.UTC(2026, 4, 20, 14, 5);
const daysLeft = (endDate: string) => (Date.parse(endDate) - Date.UTC(2026, 4, 20)) / DAY_MS;

describe('generateDataset', () => {
  const dataset = generateDataset({ count: 500, seed: 42, now: NOW });
  const certs = dataset.certificates;
  const withStatus = (status: SandboxCertStatus) => certs.filter((c) => c.status === status);

  it('is a function of seed, count and UTC day only', () => {
    expect(generateDataset({ count: 500, seed: 42, now: NOW + 3_600_000 })).toEqual(dataset);
    expect(generateDataset({ count: 500, seed: 43, now: NOW })).not.toEqual(dataset);
    const tomorrow = generateDataset({ count: 500, seed: 42, now: NOW + DAY_MS });
    expect(tomorrow.certificates.map((c) => c.serialNo)).toEqual(certs.map((c) => c.serialNo));
    expect(tomorrow.certificates[0]?.endDate).toBe(formatDate(Date.parse(certs[0]?.endDate ?? '') + DAY_MS));
  });

  it('has the realistic mix of states and sources', () => {
    expect(withStatus('WILLEXPIRED')).toHaveLength(60);
    expect(withStatus('EXPIRED')).toHaveLength(50);
    expect(withStatus('REVOKED')).toHaveLength(40);
    expect(withStatus('ISSUED')).toHaveLength(350);
    const uploads = certs.filter((c) => c.source === 'upload');
    expect(uploads).toHaveLength(75);
    expect(uploads.some((c) => c.status === 'EXPIRED')).toBe(true);
    expect(uploads.some((c) => c.status === 'WILLEXPIRED')).toBe(true);
    expect(uploads.some((c) => c.status === 'REVOKED')).toBe(false);
    expect(certs.filter((c) => c.source === 'buy').length).toBeGreaterThan(200);
    expect(certs.filter((c) => c.source === 'free').length).toBeGreaterThan(100);
  });

  it('dates each state consistently with the day', () => {
    expect(withStatus('ISSUED').every((c) => daysLeft(c.endDate) > 30)).toBe(true);
    expect(withStatus('WILLEXPIRED').every((c) => daysLeft(c.endDate) >= 1 && daysLeft(c.endDate) <= 30)).toBe(true);
    expect(withStatus('EXPIRED').every((c) => daysLeft(c.endDate) < 0)).toBe(true);
    expect(withStatus('REVOKED').every((c) => (c.revokeTime ?? NOW) < Date.UTC(2026, 4, 20))).toBe(true);
    expect(certs.filter((c) => c.status !== 'REVOKED').every((c) => c.revokeTime === undefined)).toBe(true);
    expect(certs.every((c) => c.startDate < c.endDate && daysLeft(c.startDate) < 0)).toBe(true);
  });

  it('has unique, well-formed identifiers', () => {
    expect(new Set(certs.map((c) => c.serialNo)).size).toBe(500);
    expect(certs.every((c) => /^[0-9A-F]{32,40}$/.test(c.serialNo))).toBe(true);
    expect(new Set(certs.map((c) => c.certificateId)).size).toBe(500);
    expect(new Set(certs.map((c) => c.instanceId)).size).toBe(500);
    expect(certs.every((c) => /^cas-(cert|upload)-[0-9a-f]+$/.test(c.instanceId))).toBe(true);
    const fingerprints = certs.slice(0, 50).map(fingerprintsOf);
    expect(fingerprints.every((f) => /^[0-9A-F]{64}$/.test(f.sha256) && /^[0-9A-F]{40}$/.test(f.sha1))).toBe(true);
    expect(new Set(fingerprints.map((f) => f.sha256)).size).toBe(50);
    expect(certs.every((c) => c.sans.split(',').includes(c.commonName))).toBe(true);
    expect(certs.some((c) => c.commonName.startsWith('*.'))).toBe(true);
  });

  it('keeps deployment and cloud resources in step', () => {
    expect(certs.every((c) => c.deployed === c.resources.length > 0)).toBe(true);
    const providers = new Set(certs.flatMap((c) => c.resources.map((r) => r.provider)));
    expect(providers).toEqual(new Set(['aliyun', 'tencent', 'huawei', 'aws']));
  });

  it('counts risks from the certificates', () => {
    const risk = riskCounts(dataset);
    const count = (f: (c: (typeof certs)[number]) => boolean) => certs.filter(f).length;
    expect(risk.BuyCertificateExpireCount).toBe(count((c) => c.source === 'buy' && c.status === 'EXPIRED'));
    expect(risk.FreeCertificateWillExpiredCount).toBe(count((c) => c.source === 'free' && c.status === 'WILLEXPIRED'));
    expect(risk.UploadCertificateNotNoticeCount).toBe(
      count((c) => c.source === 'upload' && !c.notice && (c.status === 'ISSUED' || c.status === 'WILLEXPIRED')),
    );
    expect(risk.AliyunAssetCertificateExpiredCount).toBe(
      count((c) => c.status === 'EXPIRED' && c.resources.some((r) => r.provider === 'aliyun')),
    );
    expect(risk.DomainAssetNotMonitorCount).toBe(dataset.domains.filter((d) => !d.monitored).length);
    for (const value of Object.values(risk)) expect(value).toBeGreaterThan(0);
  });

  it('counts assets from the certificates', () => {
    const assets = assetCounts(dataset);
    expect(assets.BuyCertificateCount + assets.FreeCertificateCount + assets.UploadCertificateCount).toBe(500);
    expect(assets.AliyunAssetCount + assets.TencentAssetCount + assets.HuaweiAssetCount + assets.AwsAssetCount).toBe(
      certs.reduce((n, c) => n + c.resources.length, 0),
    );
    expect(assets.Point).toBe(healthScore(dataset));
    expect(assets.Point).toBeGreaterThan(0);
    expect(assets.Point).toBeLessThan(100);
    expect(assets.PointTime).toBe(Date.UTC(2026, 4, 20, 2));
  });
});

describe('scenarios', () => {
  it('builds an all-clear account with the healthy profile', () => {
    const healthy = generateDataset({ count: 200, seed: 5, now: NOW, profile: 'healthy' });
    expect(Object.values(riskCounts(healthy)).every((v) => v === 0)).toBe(true);
    expect(assetCounts(healthy)).toMatchObject({ Point: 100, LastPoint: 100, PointRatio: 0 });
    expect(healthy.certificates.some((c) => c.source === 'upload')).toBe(true);
  });

  it('takes exact counts, on top of a profile', () => {
    const dataset = generateDataset({ count: 50, now: NOW, profile: 'healthy', counts: { willExpired: 3, upload: 0 } });
    const risk = riskCounts(dataset);
    expect(
      risk.BuyCertificateWillExpiredCount +
        risk.FreeCertificateWillExpiredCount +
        risk.UploadCertificateWillExpiredCount,
    ).toBe(3);
    expect(risk.BuyCertificateExpireCount + risk.FreeCertificateExpireCount).toBe(0);
    expect(dataset.certificates.some((c) => c.source === 'upload')).toBe(false);
  });

  it('refuses counts that do not fit', () => {
    expect(() => generateDataset({ count: 10, counts: { expired: 6, willExpired: 6 } })).toThrow(RangeError);
    expect(() => generateDataset({ count: 10, counts: { revoked: 5, upload: 6 } })).toThrow(RangeError);
    expect(() => generateDataset({ count: -1 })).toThrow(RangeError);
  });

  it('moves a certificate between states with matching dates', () => {
    const dataset = generateDataset({ count: 20, now: NOW, profile: 'healthy' });
    const id = dataset.certificates[0]?.certificateId ?? 0;
    const before = healthScore(dataset);
    const cert = setCertificateStatus(dataset, id, 'EXPIRED');
    expect(daysLeft(cert.endDate)).toBeLessThan(0);
    expect(riskCounts(dataset)).not.toEqual(riskCounts(generateDataset({ count: 20, now: NOW, profile: 'healthy' })));
    expect(healthScore(dataset)).toBeLessThan(before);
    setCertificateStatus(dataset, id, 'REVOKED');
    expect(cert.revokeTime).toBeLessThan(Date.UTC(2026, 4, 20));
    setCertificateStatus(dataset, id, 'ISSUED');
    expect(cert.revokeTime).toBeUndefined();
    expect(() => setCertificateStatus(dataset, 1, 'ISSUED')).toThrow(RangeError);
  });
});

describe('replaced pairs', () => {
  const plain = generateDataset({ count: 500, seed: 42, now: NOW });
  const renewed = generateDataset({ count: 500, seed: 42, now: NOW, replacedPairs: 20 });
  const byId = new Map(renewed.certificates.map((c) => [c.certificateId, c]));

  it('is off by default', () => {
    expect(plain.certificates).toHaveLength(500);
    expect(plain.renewals).toEqual([]);
  });

  it('adds the twins on top and leaves the rest of the data set as it was', () => {
    expect(renewed.certificates).toHaveLength(520);
    expect(renewed.certificates.slice(0, 500)).toEqual(plain.certificates);
    expect(renewed.domains).toEqual(plain.domains);
    expect(renewed.lastPoint).toBe(plain.lastPoint);
    expect(renewed.failedOrders).toEqual(plain.failedOrders);
    expect(renewed.renewals.map((r) => r.renewedBy)).toEqual(Array.from({ length: 20 }, (_, i) => 10_000_501 + i));
    expect(generateDataset({ count: 500, seed: 42, now: NOW + 3_600_000, replacedPairs: 20 })).toEqual(renewed);
  });

  it('renews expiring certificates, and every fourth an expired one, with a valid later twin', () => {
    const originals = renewed.renewals.map((r) => byId.get(r.certificateId));
    expect(originals.filter((c) => c?.status === 'WILLEXPIRED')).toHaveLength(15);
    expect(originals.filter((c) => c?.status === 'EXPIRED')).toHaveLength(5);
    expect(new Set(renewed.renewals.map((r) => r.certificateId)).size).toBe(20);
    for (const { certificateId, renewedBy } of renewed.renewals) {
      const original = byId.get(certificateId);
      const twin = byId.get(renewedBy);
      expect(twin).toMatchObject({
        commonName: original?.commonName,
        sans: original?.sans,
        source: original?.source,
        issuer: original?.issuer,
        status: 'ISSUED',
        deployed: true,
      });
      expect(daysLeft(twin?.endDate ?? '')).toBeGreaterThan(30);
      expect(daysLeft(twin?.startDate ?? '')).toBeLessThanOrEqual(0);
      expect((twin?.endDate ?? '') > (original?.endDate ?? '')).toBe(true);
      expect(twin?.serialNo).not.toBe(original?.serialNo);
    }
    expect(new Set(renewed.certificates.map((c) => c.serialNo)).size).toBe(520);
    expect(new Set(renewed.certificates.map((c) => c.instanceId)).size).toBe(520);
  });

  it('makes each renewed certificate replaced under the domain rule', () => {
    const certs = renewed.certificates.map((c) =>
      certificateFromOrder(
        {
          CertificateId: c.certificateId,
          CommonName: c.commonName,
          Sans: c.sans,
          EndDate: c.endDate,
          Status: c.status,
        },
        'LTAI-sandbox',
      ),
    );
    const replacements = findReplacements(certs, new Date(NOW));
    for (const { certificateId, renewedBy } of renewed.renewals) {
      const replacement = replacements.get(String(certificateId));
      expect(replacement).toBeDefined();
      expect((replacement?.endDate ?? '') >= (byId.get(renewedBy)?.endDate ?? '')).toBe(true);
    }
  });

  it('refuses more pairs than there are expiring and expired certificates', () => {
    expect(() => generateDataset({ count: 20, counts: { willExpired: 2, expired: 1 }, replacedPairs: 4 })).toThrow(
      /exceeds the 3 expiring and expired/,
    );
    expect(
      generateDataset({ count: 20, counts: { willExpired: 0, expired: 3 }, replacedPairs: 3 }).renewals,
    ).toHaveLength(3);
    expect(() => generateDataset({ count: 20, replacedPairs: -1 })).toThrow(RangeError);
    expect(() => generateDataset({ count: 20, replacedPairs: 1.5 })).toThrow(RangeError);
  });
});
