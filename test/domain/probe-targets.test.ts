import { matchResolveRule, parseEndpoint, parseResolveRules } from '../../src/domain/endpoints';
import { buildProbeTargets, type TargetCertificate } from '../../src/domain/probe-targets';

const NOW = new Date('2026-06-15T12:00:00Z');
const date = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString().slice(0, 10);

function cert(id: string, names: string[], endIn: number, extra: Partial<TargetCertificate> = {}): TargetCertificate {
  return {
    account: 'default',
    id,
    commonName: names[0],
    sans: names,
    endDate: date(endIn),
    expired: endIn < 0,
    uploaded: false,
    ...extra,
  };
}

const keys = (list: { host: string; port: number }[]) => list.map((t) => `${t.host}:${t.port}`);

describe('buildProbeTargets', () => {
  it('takes PROBE_TARGETS, deployed domains at their port, listeners’ names at theirs, then names of valid certificates', () => {
    const { targets, total, cut } = buildProbeTargets({
      now: NOW,
      maxTargets: 100,
      configured: [{ host: 'edge.other-cloud.net', port: 443 }],
      certificates: [
        cert('1', ['www.example.com', 'api.example.com'], 200, {
          deployment: { resources: [{ domain: 'WWW.example.com', listenerPort: undefined }, { listenerPort: '8443' }] },
        }),
        cert('2', ['*.example.org', 'example.org'], 50, {
          deployment: { resources: [{ domain: 'cdn.example.org' }, { domain: 'img.example.org', https: false }] },
        }),
      ],
    });
    expect(keys(targets)).toEqual([
      'edge.other-cloud.net:443',
      // Deployed, soonest-ending certificate first.
      'cdn.example.org:443',
      'www.example.com:443',
      'www.example.com:8443',
      'api.example.com:8443',
      // Names of valid certificates; wildcards have no host to ask.
      'example.org:443',
      'api.example.com:443',
    ]);
    expect(total).toBe(7);
    expect(cut).toBe(0);
    expect(targets[2]).toEqual({
      host: 'www.example.com',
      port: 443,
      origins: ['resource', 'certificate'],
      certificates: [{ account: 'default', id: '1' }],
    });
    expect(targets[0]?.origins).toEqual(['configured']);
  });

  it('keeps names of recently expired certificates, not of long-expired, revoked or removed ones; deployed ones always', () => {
    const { targets } = buildProbeTargets({
      now: NOW,
      maxTargets: 100,
      certificates: [
        cert('recent', ['recent.example.com'], -10),
        cert('old', ['old.example.com'], -90),
        cert('served', ['served.example.com'], -90, { deployment: { resources: [{ domain: 'served.example.com' }] } }),
        cert('revoked', ['revoked.example.com'], 100, { status: 'REVOKED' }),
        cert('removed', ['removed.example.com'], 100, { removedAt: new Date(NOW.getTime() - 1000) }),
      ],
    });
    expect(keys(targets)).toEqual(['served.example.com:443', 'recent.example.com:443']);
  });

  it('is bounded by PROBE_MAX_TARGETS and says how many it left out, keeping configured and deployed ones first', () => {
    const certificates = Array.from({ length: 30 }, (_, i) => cert(String(i), [`n${i}.example.com`], 100 + i));
    certificates.push(
      cert('d', ['deployed.example.com'], 300, { deployment: { resources: [{ domain: 'deployed.example.com' }] } }),
    );
    const list = buildProbeTargets({
      now: NOW,
      maxTargets: 5,
      certificates,
      configured: [{ host: 'x.example.net', port: 8443 }],
    });
    expect(list.targets).toHaveLength(5);
    expect(list.total).toBe(32);
    expect(list.cut).toBe(27);
    expect(keys(list.targets).slice(0, 3)).toEqual([
      'x.example.net:8443',
      'deployed.example.com:443',
      'n0.example.com:443',
    ]);
  });
});

describe('parseEndpoint', () => {
  it('reads host[:port], lowercase, without a trailing dot', () => {
    expect(parseEndpoint('WWW.Example.com.')).toEqual({ host: 'www.example.com', port: 443 });
    expect(parseEndpoint(' api.example.com:8443 ')).toEqual({ host: 'api.example.com', port: 8443 });
    expect(parseEndpoint('intranet')).toEqual({ host: 'intranet', port: 443 });
  });

  it.each([
    ['https://www.example.com', 'is a URL'],
    ['www.example.com/path', 'is a URL'],
    ['10.0.0.1', 'is an IP address'],
    ['10.0.0.1:443', 'is an IP address'],
    ['[::1]:443', 'is an IP address'],
    ['fe80::1', 'is an IP address'],
    ['www.example.com:0', 'port 0 is out of range'],
    ['www.example.com:65536', 'port 65536 is out of range'],
    ['www.example.com:https', 'is not a number'],
    ['www example com', 'has spaces'],
    ['<@U012ABCDEF>', 'Slack mention'],
    ['<https://www.example.com|www.example.com>', 'Slack mention'],
    ['*.example.com', 'is a wildcard'],
    ['-bad-.example.com', 'is not a host name'],
    ['', 'empty'],
  ])('%j is refused: %s', (input, why) => {
    const parsed = parseEndpoint(input);
    expect('problem' in parsed && parsed.problem).toContain(why);
  });
});

describe('PROBE_RESOLVE rules', () => {
  it('picks the most specific rule: host and port, host, port, any', () => {
    const { rules } = parseResolveRules(
      '*:*=10.0.0.9,*:8443=10.0.0.8,a.example.com:*=10.0.0.7,a.example.com:443=10.0.0.6',
    );
    const at = (host: string, port: number) => matchResolveRule(rules, { host, port })?.address;
    expect(at('a.example.com', 443)).toBe('10.0.0.6');
    expect(at('a.example.com', 8443)).toBe('10.0.0.7');
    expect(at('b.example.com', 8443)).toBe('10.0.0.8');
    expect(at('b.example.com', 443)).toBe('10.0.0.9');
    expect(matchResolveRule([], { host: 'b.example.com', port: 443 })).toBeUndefined();
  });
});
