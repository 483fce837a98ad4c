import { riskCountSchema } from '../../../src/cas/schemas';
import { RISK_KINDS, riskRows } from '../../../src/domain/risk';
import { ACTION_IDS } from '../../../src/slack/button-codecs';
import { renderRiskSummary, RISK_KIND_EMOJI } from '../../../src/slack/blocks/risk';
import { allText, assets, buttons, NOW, risk, type ZERO_RISK } from '../../helpers/block-fixtures';
import { assertWithinBlockKitLimits } from '../../helpers/limits-checker';

const counters = Object.keys(riskCountSchema.shape).filter((key) => key !== 'RequestId');

describe('riskRows', () => {
  it('counts every GetRiskCount counter exactly once by kind and once by source', () => {
    expect(counters).toHaveLength(18);
    for (const counter of counters) {
      const rows = riskRows(risk({ [counter]: 7 }));
      expect(rows.total).toBe(7);
      expect(rows.byKind).toHaveLength(1);
      expect(rows.bySource).toHaveLength(1);
      expect(rows.byKind[0].count).toBe(7);
      expect(rows.bySource[0].count).toBe(7);
    }
  });

  it('groups by kind and by source and leaves zero rows out', () => {
    const rows = riskRows(
      risk({
        BuyCertificateExpireCount: 2,
        AliyunAssetCertificateExpiredCount: 1,
        FreeCertificateWillExpiredCount: 3,
        MultiCloudAssetCertificateWillExpiredCount: 4,
        UploadCertificateNotNoticeCount: 5,
        DomainAssetNotMonitorCount: 6,
      }),
    );
    expect(rows.total).toBe(21);
    expect(rows.byKind.map(({ key, label, count }) => [key, label, count])).toEqual([
      ['expired', 'Expired', 3],
      ['expiring', 'Expiring soon', 7],
      ['noAlerts', 'Uploaded without alerts', 5],
      ['unmonitoredDomains', 'Domains without monitoring', 6],
    ]);
    expect(RISK_KIND_EMOJI[rows.byKind[0].key]).toBe(':red_circle:');
    expect(RISK_KIND_EMOJI[rows.byKind[1].key]).toBe(':large_orange_circle:');
    expect(rows.bySource.map(({ key, count }) => [key, count])).toEqual([
      ['paid', 2],
      ['free', 3],
      ['uploaded', 5],
      ['aliyun', 1],
      ['multiCloud', 4],
      ['domains', 6],
    ]);
  });

  it('labels every kind', () => {
    const all = riskRows(Object.fromEntries(counters.map((c) => [c, 1])) as typeof ZERO_RISK);
    expect(all.total).toBe(18);
    expect(all.byKind.map((row) => `${row.label}=${row.count}`)).toEqual([
      'Expired=5',
      'Expiring soon=5',
      'Not deployed=3',
      'Failed review=2',
      'Not hosted=1',
      'Uploaded without alerts=1',
      'Domains without monitoring=1',
    ]);
    expect(all.bySource.map((row) => `${row.label}=${row.count}`)).toEqual([
      'Paid certificates=5',
      'Free certificates=4',
      'Uploaded certificates=4',
      'Alibaba Cloud resources=2',
      'Multi-cloud resources=2',
      'Domains=1',
    ]);
  });
});

describe('RISK_KIND_EMOJI', () => {
  it('gives every kind its own emoji', () => {
    expect(RISK_KINDS.map((kind) => [kind.key, RISK_KIND_EMOJI[kind.key]])).toEqual([
      ['expired', ':red_circle:'],
      ['expiring', ':large_orange_circle:'],
      ['notDeployed', ':white_circle:'],
      ['failedReview', ':x:'],
      ['notHosted', ':package:'],
      ['noAlerts', ':no_bell:'],
      ['unmonitoredDomains', ':globe_with_meridians:'],
    ]);
  });
});

describe('renderRiskSummary', () => {
  const someRisk = risk({
    BuyCertificateExpireCount: 2,
    FreeCertificateExpireCount: 1,
    FreeCertificateWillExpiredCount: 3,
    AliyunAssetCertificateWillExpiredCount: 2,
    BuyCertificateNotDeploymentCount: 1,
    DomainAssetNotMonitorCount: 5,
  });

  /** The inventory's counts: 3 stale deployments, 4 expired, 6 expiring among 40 certificates. */
  const inventory = {
    counts: { stale: 3, expired: 4, expiring: 6, renewed: 2, 'not-deployed': 5, valid: 20, total: 40 },
    syncedAt: new Date(NOW.getTime() - 5 * 60_000),
    deploymentsKnown: true,
  };

  it("leads with the inventory's counts, then CAS's counters apart under their label", () => {
    const message = renderRiskSummary({ risk: someRisk, assets: assets(), now: NOW, inventory });
    assertWithinBlockKitLimits(message);
    const text = allText(message);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Certificate risk', emoji: true },
    });
    expect(text).toContain('*13 of 40 certificates at risk: 3 stale deployments, 4 expired, 6 expiring*');
    expect(text).toContain(':warning: Stale deployments: *3*');
    expect(text).toContain(':red_circle: Expired: *4*');
    expect(text).toContain(':large_orange_circle: Expiring: *6*');
    expect(text).toContain(':white_check_mark: Renewed: *2*');
    expect(text).toContain(':white_circle: Not deployed: *5*');
    expect(text).toContain(':large_green_circle: Valid: *20*');
    // CAS's figures come after, under the label that says whose they are and what they count.
    const cas = text.indexOf('*CAS risk counters (certificates, resources and domains)*');
    expect(cas).toBeGreaterThan(text.indexOf('Valid: *20*'));
    expect(text.slice(cas)).toContain('14 in all');
    expect(text).toContain('*Health score:* 82  ▼ 3 since the previous score (85)');
    expect(text).toContain(':red_circle: Expired: *3*');
    expect(text).toContain(':large_orange_circle: Expiring soon: *5*');
    expect(text).toContain(':white_circle: Not deployed: *1*');
    expect(text).toContain(':globe_with_meridians: Domains without monitoring: *5*');
    expect(text).not.toContain('Failed review');
    expect(text).not.toContain('Not hosted');
    expect(text).not.toContain('Uploaded without alerts');
    expect(text).toContain('Paid certificates: 3');
    expect(text).toContain('Alibaba Cloud resources: 2');
    expect(text).not.toContain('Uploaded certificates:');
    expect(text).not.toContain('Multi-cloud');
    expect(text).toContain('Certificates: 10 paid · 5 free · 3 uploaded');
    expect(text).toContain('Cloud resources: 120 Alibaba Cloud · 4 Tencent Cloud · 2 AWS');
    expect(text).toContain('Domains: 14');
    expect(text).toContain(
      'Checked <!date^1741599000^{date_short_pretty} {time}|2025-03-10 09:30 UTC> · inventory synced 5 min ago · score from <!date^1741590000^{date_short_pretty} {time}|2025-03-10 07:00 UTC>',
    );
    expect(text).toContain('RequestId `RISK-REQ-1`, `ASSET-REQ-2`');
    // The notification line says the bot's counts only; CAS's 14 is not in a sentence beside them.
    expect(message.text).toBe(
      'Certificate risk: 13 of 40 certificates at risk: 3 stale deployments, 4 expired, 6 expiring. Health score 82 (▼ 3).',
    );
  });

  it('before the first sync says there is no inventory yet, and shows only CAS counters, labelled', () => {
    const message = renderRiskSummary({ risk: someRisk, assets: assets(), now: NOW });
    const text = allText(message);
    expect(text).toContain('No inventory yet: the first inventory sync has not finished');
    expect(text).not.toMatch(/certificates at risk/);
    expect(text).toContain('*CAS risk counters (certificates, resources and domains)*');
    expect(buttons(message)).toEqual([]);
  });

  it('has buttons that open the stale and expiring lists', () => {
    const [stale, expiring] = buttons(renderRiskSummary({ risk: someRisk, assets: assets(), now: NOW, inventory }));
    expect(stale.text).toBe('List stale deployments');
    expect(JSON.parse(stale.value ?? '')).toEqual({ status: 'stale' });
    expect(stale.action_id).toBe(ACTION_IDS.listOpenOther);
    expect(expiring.text).toBe('List expiring certificates');
    expect(expiring.action_id).toBe(ACTION_IDS.listOpen);
    expect(expiring.action_id).toBe('cert_list_open');
    expect(JSON.parse(expiring.value ?? '')).toEqual({ status: 'expiring' });
  });

  it('shows a rising score with ▲ and a missing previous score', () => {
    expect(
      allText(renderRiskSummary({ risk: someRisk, assets: assets({ Point: 90, LastPoint: 80 }), now: NOW })),
    ).toContain('*Health score:* 90  ▲ 10 since the previous score (80)');
    expect(
      allText(renderRiskSummary({ risk: someRisk, assets: assets({ LastPoint: undefined }), now: NOW })),
    ).toContain('*Health score:* 82  (no previous score)');
    expect(allText(renderRiskSummary({ risk: someRisk, assets: assets({ LastPoint: 82 }), now: NOW }))).toContain(
      'unchanged since the previous score',
    );
  });

  it('still answers without asset counts', () => {
    const message = renderRiskSummary({ risk: someRisk, now: NOW });
    assertWithinBlockKitLimits(message);
    expect(allText(message)).toContain('*Health score:* not available');
    expect(allText(message)).not.toContain('*Assets*');
  });

  it('has a green all-clear variant when nothing in the inventory is at risk', () => {
    const clear = { ...inventory, counts: { ...inventory.counts, stale: 0, expired: 0, expiring: 0, total: 27 } };
    const message = renderRiskSummary({
      risk: risk(),
      assets: assets({ Point: 100, LastPoint: 96 }),
      now: NOW,
      inventory: clear,
    });
    assertWithinBlockKitLimits(message);
    const text = allText(message);
    expect(text).toContain(':white_check_mark: *All clear: none of the 27 certificates is at risk*');
    expect(text).toContain('CAS counts nothing at risk.');
    expect(text).toContain('*Health score:* 100  ▲ 4 since the previous score (96)');
    expect(text).toContain(':red_circle: Expired: *0*');
    expect(buttons(message)).toEqual([]);
    expect(message.text).toBe(
      'Certificate risk: All clear: none of the 27 certificates is at risk. Health score 100 (▲ 4).',
    );
  });

  it('matches the snapshot', () => {
    expect(renderRiskSummary({ risk: someRisk, assets: assets(), now: NOW, inventory })).toMatchSnapshot();
    expect(renderRiskSummary({ risk: risk(), assets: assets(), now: NOW })).toMatchSnapshot();
  });
});
