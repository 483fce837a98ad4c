import { ConfigError, loadConfig } from '../../src/config';

/** The DEPLOY_ variables: off by default, and every problem named by its variable at start. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const ENABLED = { DEPLOY_ENABLED: 'true', DEPLOY_APPROVERS: 'U0APPROVE1,S0SECOPS', DEPLOY_CHANNELS: 'C0DEPLOY' };

test('off by default, with the documented defaults', () => {
  const config = loadConfig({});
  expect(config.DEPLOY_ENABLED).toBe(false);
  expect(config.DEPLOY_REQUEST_HOURS).toBe(24);
  expect(config.DEPLOY_HOURS).toBeUndefined();
  expect(config.DEPLOY_APPROVERS).toEqual([]);
  expect(config.DEPLOY_CONTACT_IDS).toEqual([]);
});

test('enabled: users, user groups, channels, contacts and a change window are read', () => {
  const config = loadConfig({
    ...ENABLED,
    DEPLOY_ENABLED: 'TRUE',
    DEPLOY_REQUESTERS: 'U0REQ1, W0REQ2 ,S0PLATFORM',
    DEPLOY_CONTACT_IDS: '519580,519581',
    DEPLOY_HOURS: '22:00-23:30',
    DEPLOY_REQUEST_HOURS: '48',
    ALERT_TIMEZONE: 'Asia/Shanghai',
  });
  expect(config).toMatchObject({
    DEPLOY_ENABLED: true,
    DEPLOY_REQUESTERS: ['U0REQ1', 'W0REQ2', 'S0PLATFORM'],
    DEPLOY_APPROVERS: ['U0APPROVE1', 'S0SECOPS'],
    DEPLOY_CHANNELS: ['C0DEPLOY'],
    DEPLOY_CONTACT_IDS: ['519580', '519581'],
    DEPLOY_HOURS: { startMinute: 22 * 60, endMinute: 23 * 60 + 30 },
    DEPLOY_REQUEST_HOURS: 48,
    ALERT_TIMEZONE: 'Asia/Shanghai',
  });
});

test('DEPLOY_ENABLED=true without approvers or channels: each named, with what to write', () => {
  expect(problems({ DEPLOY_ENABLED: 'true' })).toEqual([
    expect.stringMatching(/^DEPLOY_APPROVERS: required when DEPLOY_ENABLED=true: .*e\.g\. DEPLOY_APPROVERS=U012ABCDEF/),
    expect.stringMatching(/^DEPLOY_CHANNELS: required when DEPLOY_ENABLED=true: .*e\.g\. DEPLOY_CHANNELS=C012ABCDEF/),
  ]);
  // Disabled, the same settings are not required.
  expect(problems({ DEPLOY_ENABLED: 'false' })).toEqual([]);
});

test('a lone approver who is the lone requester could never get a second person', () => {
  expect(problems({ ...ENABLED, DEPLOY_APPROVERS: 'U0ALONE', DEPLOY_REQUESTERS: 'U0ALONE' })).toEqual([
    expect.stringMatching(/^DEPLOY_APPROVERS: U0ALONE is the only approver and the only requester/),
  ]);
  expect(problems({ ...ENABLED, DEPLOY_APPROVERS: 'U0ALONE', DEPLOY_REQUESTERS: 'U0OTHER' })).toEqual([]);
});

test('bad values are named, all at once, with the other variables', () => {
  const found = problems({
    DEPLOY_ENABLED: 'yes',
    DEPLOY_APPROVERS: 'alice',
    DEPLOY_REQUESTERS: '@bob',
    DEPLOY_CHANNELS: '#general',
    DEPLOY_CONTACT_IDS: 'ops-team',
    DEPLOY_HOURS: '22:00-06:00',
    DEPLOY_REQUEST_HOURS: '0',
    CAS_QPS: 'fast',
  });
  const named = found.map((p) => p.split(':')[0]);
  expect(named).toEqual(
    expect.arrayContaining([
      'DEPLOY_ENABLED',
      'DEPLOY_APPROVERS',
      'DEPLOY_REQUESTERS',
      'DEPLOY_CHANNELS',
      'DEPLOY_CONTACT_IDS',
      'DEPLOY_HOURS',
      'DEPLOY_REQUEST_HOURS',
      'CAS_QPS',
    ]),
  );
  expect(found.find((p) => p.startsWith('DEPLOY_HOURS'))).toContain('across midnight is not supported');
  expect(found.find((p) => p.startsWith('DEPLOY_APPROVERS'))).toContain('user group ID (S012ABCDEF)');
});
