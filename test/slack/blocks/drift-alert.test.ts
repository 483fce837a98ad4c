import type { DriftEntry } from '../../../src/alerts/drift';
import type { EndpointVerdict } from '../../../src/domain/probe-verdict';
import { renderDriftAlertMessage } from '../../../src/slack/blocks/drift-alert';
import { visibleText, buttons } from '../../helpers/app-harness';
import { assertBlocksWithinLimits, SLACK_LIMITS } from '../../helpers/limits-checker';

const NOW = new Date('2026-12-05T10:00:00Z');

function unmanaged(host: string, issuer: string): EndpointVerdict {
  const leaf = {
    subject: `CN=${host}`,
    issuer: `CN=${issuer}`,
    issuerCommonName: issuer,
    names: [host],
    serialNumber: '01',
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2027-01-01T00:00:00Z',
    sha1: 'AA',
    sha256: 'BB',
    selfIssued: false,
    ca: false,
  };
  return {
    endpoint: { host, port: 443 },
    verdict: 'unmanaged',
    findings: ['unmanaged'],
    checkedAt: NOW,
    consecutiveFailures: 0,
    served: {
      leaf,
      chain: [],
      verdict: 'unmanaged',
      findings: ['unmanaged'],
      daysLeft: 27,
      trusted: true,
      address: '203.0.113.7',
      handshakeMs: 3,
      at: NOW,
    },
  };
}

test('a full message of drift alerts with hostile issuers stays within Slack limits and pings nobody', () => {
  const entries: DriftEntry[] = Array.from({ length: 10 }, (_, i) => ({
    verdict: unmanaged(`host-${i}.example.com`, `<!channel> *evil* ${'x'.repeat(3000)}`),
  }));
  const message = renderDriftAlertMessage({ entries, mention: '<!subteam^S0TEAM>', omitted: 240, now: NOW });
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(JSON.stringify(message.blocks).length).toBeLessThan(SLACK_LIMITS.blocksJson);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  // Each endpoint has its own Acknowledge and Snooze buttons, as certificate alerts do: Slack
  // wants an action_id unique within its actions block, and each endpoint's are in a block of their own.
  assertBlocksWithinLimits(message.blocks, 'block');
  const text = visibleText(message);
  expect(text).not.toContain('<!channel>');
  expect(text).toContain('&lt;!channel&gt;');
  expect(message.text).toBe('250 endpoints do not serve the current certificate. host-0.example.com: unmanaged.');
  expect(text).toContain('…and 240 more endpoints: run `/cert-list drift` to see them all');
});

test('a fixed endpoint says what it serves now, without buttons; the title says when all are fixed', () => {
  const fixed: DriftEntry = {
    verdict: unmanaged('www.example.com', 'Other CA'),
    resolution: { kind: 'fixed', verdict: 'ok', certificate: { account: 'default', id: '32900014' } },
  };
  const message = renderDriftAlertMessage({ entries: [fixed], omitted: 0, now: NOW });
  expect(visibleText(message)).toContain('*www.example.com* — now serves 32900014 ✅');
  expect(buttons(message)).toEqual([]);
  expect(message.text).toMatch(/^1 endpoint fixed: serving the current certificate\./);
});
