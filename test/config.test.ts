import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONFIG_DOC, withConfigTable } from '../src/cli/docs-config';
import { ConfigError, configSchema, envExample, loadConfig } from '../src/config';

const root = path.resolve(__dirname, '..');

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  test('defaults apply when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      CAS_ENDPOINT: 'cas.aliyuncs.com',
      CAS_REGION: 'cn-hangzhou',
      CAS_QPS: 10,
      CAS_MAX_ATTEMPTS: 4,
      CAS_TIMEOUT_MS: 10_000,
      CAS_CACHE_TTL_SECONDS: 60,
      PORT: 3000,
      DATA_DIR: './data',
      DIGEST_CRON: '0 9 * * 1',
      DIGEST_TIMEZONE: 'UTC',
      DIGEST_RETRY_MINUTES: 60,
      DIGEST_CHANNEL: [],
      ADMIN_USER_IDS: [],
    });
  });

  test('every problem is reported at once, by name, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig(
        {
          CAS_QPS: 'many',
          PORT: '99999',
          ADMIN_USER_IDS: 'U012ABC, bob',
          DIGEST_CHANNEL: '#general',
          DIGEST_CRON: '61 * * * *',
          DIGEST_TIMEZONE: 'Europe/Atlantis',
          SLACK_BOT_TOKEN: 'not-a-token-supersecret',
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tExample',
        },
        ['slack'],
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of [
      'CAS_QPS',
      'PORT',
      'ADMIN_USER_IDS',
      'DIGEST_CHANNEL',
      'DIGEST_CRON',
      'DIGEST_TIMEZONE',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    ])
      expect(message).toContain(name);
    expect(message).toContain('Europe/Berlin');
    expect(message).not.toContain('supersecret');
  });

  test('lists are split on commas; Socket Mode needs no signing secret', () => {
    const config = loadConfig(
      {
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_APP_TOKEN: 'xapp-1',
        ADMIN_USER_IDS: 'U01AAA, U02BBB',
        DIGEST_CHANNEL: 'C01,C02',
      },
      ['slack'],
    );
    expect(config.ADMIN_USER_IDS).toEqual(['U01AAA', 'U02BBB']);
    expect(config.DIGEST_CHANNEL).toEqual(['C01', 'C02']);
  });

  test('seconds-level cron expressions are accepted', () => {
    expect(loadConfig({ DIGEST_CRON: '*/5 * * * * *' }).DIGEST_CRON).toBe('*/5 * * * * *');
  });

  test('the configuration table of docs/configuration.md and .env.example are generated from the schema', () => {
    const doc = fs.readFileSync(path.join(root, CONFIG_DOC), 'utf8');
    expect(withConfigTable(doc)).toBe(doc);
    expect(fs.readFileSync(path.join(root, '.env.example'), 'utf8')).toBe(envExample());
    for (const name of Object.keys(configSchema.shape)) expect(doc).toContain(`\`${name}\``);
  });

  describe('alerts', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-config-'));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, text: string) => {
      const filePath = path.join(dir, name);
      fs.writeFileSync(filePath, text);
      return filePath;
    };

    test('defaults, with the time zone and channel taken from DIGEST_*', () => {
      const config = loadConfig({ DIGEST_TIMEZONE: 'Asia/Shanghai', DIGEST_CHANNEL: 'C012DIGEST,C012OTHER' });
      expect(config).toMatchObject({
        ALERT_DAYS: [30, 14, 7, 3, 1],
        ALERT_CHECK_MINUTES: 60,
        ALERT_HOURS: { startMinute: 9 * 60, endMinute: 20 * 60 },
        ALERT_TIMEZONE: 'Asia/Shanghai',
        ALERT_CHANNEL: 'C012DIGEST',
        alertRoutes: [],
      });
      const bare = loadConfig({});
      expect(bare.ALERT_TIMEZONE).toBe('UTC');
      expect(bare.ALERT_CHANNEL).toBeUndefined();
    });

    test('set values win over the DIGEST_* defaults', () => {
      const config = loadConfig({
        DIGEST_TIMEZONE: 'Asia/Shanghai',
        DIGEST_CHANNEL: 'C012DIGEST',
        ALERT_DAYS: '1, 60,7',
        ALERT_CHECK_MINUTES: '15',
        ALERT_HOURS: '00:00-24:00',
        ALERT_TIMEZONE: 'Europe/Berlin',
        ALERT_CHANNEL: 'G012ALERTS',
      });
      expect(config).toMatchObject({
        ALERT_DAYS: [1, 60, 7],
        ALERT_CHECK_MINUTES: 15,
        ALERT_HOURS: { startMinute: 0, endMinute: 1440 },
        ALERT_TIMEZONE: 'Europe/Berlin',
        ALERT_CHANNEL: 'G012ALERTS',
      });
    });

    test('every bad ALERT_* variable is reported at once, by name', () => {
      const problems = problemsOf({
        ALERT_DAYS: '30,0,abc,400',
        ALERT_CHECK_MINUTES: '0',
        ALERT_HOURS: '20:00-09:00',
        ALERT_TIMEZONE: 'Europe/Atlantis',
        ALERT_CHANNEL: '#alerts',
        ALERT_ROUTES: '*.pay.example.com=#payments',
        ALERT_ROUTES_FILE: path.join(dir, 'missing.yaml'),
        DIGEST_CHANNEL: 'general',
      });
      for (const name of [
        'ALERT_DAYS',
        'ALERT_CHECK_MINUTES',
        'ALERT_HOURS',
        'ALERT_TIMEZONE',
        'ALERT_CHANNEL',
        'ALERT_ROUTES',
        'ALERT_ROUTES_FILE',
        'DIGEST_CHANNEL',
      ])
        expect(problems.some((problem) => problem.startsWith(`${name}: `))).toBe(true);
      expect(problems).toEqual(
        expect.arrayContaining([
          'ALERT_DAYS: "0" is not a whole number of days from 1 to 365',
          'ALERT_DAYS: "abc" is not a whole number of days from 1 to 365',
          'ALERT_DAYS: "400" is not a whole number of days from 1 to 365',
          expect.stringMatching(/^ALERT_ROUTES: rule 1: channel "#payments" is not a Slack channel ID/),
          expect.stringMatching(/^ALERT_ROUTES_FILE: cannot read .*missing\.yaml.*: no such file$/),
        ]),
      );
    });

    test('duplicates in ALERT_DAYS are refused, naming the value', () => {
      expect(problemsOf({ ALERT_DAYS: '30,7,14,7' })).toEqual(['ALERT_DAYS: 7 is listed more than once']);
      expect(problemsOf({ ALERT_DAYS: ' , ' })).toEqual([expect.stringMatching(/^ALERT_DAYS: must list at least one/)]);
      expect(problemsOf({ ALERT_DAYS: '7.5,+3' })).toHaveLength(2);
    });

    test('routes from ALERT_ROUTES, then from ALERT_ROUTES_FILE', () => {
      const routesFile = file(
        'routes.yaml',
        [
          '# long lists live here',
          "- match: '*.shop.example.com'",
          '  channel: C012SHOP',
          "  mention: '<!subteam^S012SHOP|shop>'",
          '- match: www.example.com',
          '  channel: G012WWW',
          '- match: "*"',
          '  channel: C012PROD',
          '  account: LTAI-prod',
          '',
        ].join('\n'),
      );
      const config = loadConfig({
        ALERT_ROUTES: '*.pay.example.com=C012PAY <@U012ALICE>',
        ALERT_ROUTES_FILE: routesFile,
      });
      expect(config.alertRoutes).toEqual([
        { pattern: '*.pay.example.com', channel: 'C012PAY', mention: '<@U012ALICE>' },
        { pattern: '*.shop.example.com', channel: 'C012SHOP', mention: '<!subteam^S012SHOP|shop>' },
        { pattern: 'www.example.com', channel: 'G012WWW' },
        { pattern: '*', channel: 'C012PROD', account: 'ltai-prod' },
      ]);
      expect(loadConfig({ ALERT_ROUTES_FILE: file('empty.yaml', '# nothing yet\n') }).alertRoutes).toEqual([]);
    });

    test('a bad routes file: each bad entry named, with the other problems', () => {
      const problems = problemsOf({
        ALERT_ROUTES_FILE: file(
          'bad.yaml',
          [
            '- match: ok.example.com',
            '  channel: C012OK',
            '- match: bad_name.example.com',
            '  channel: C012X',
            '- match: x.example.com',
            '  channel: general',
            '  owner: team-x',
            '',
          ].join('\n'),
        ),
        ALERT_DAYS: '7,7',
      });
      expect(problems).toEqual([
        'ALERT_DAYS: 7 is listed more than once',
        expect.stringMatching(/^ALERT_ROUTES_FILE: entry 2 \("bad_name.example.com"\): pattern /),
        expect.stringMatching(
          /^ALERT_ROUTES_FILE: entry 3 \("x.example.com"\): unknown key "owner"; channel "general"/,
        ),
      ]);
    });

    test('a routes file that is not YAML, not a list, or unreadable', () => {
      expect(
        problemsOf({ ALERT_ROUTES_FILE: file('broken.yaml', '- match: "unterminated\n  channel: C012X\n') }),
      ).toEqual([expect.stringMatching(/^ALERT_ROUTES_FILE: ".*broken\.yaml" is not valid YAML: /)]);
      // An unquoted leading '*' is a YAML alias: the problem says to quote it.
      expect(
        problemsOf({ ALERT_ROUTES_FILE: file('alias.yaml', '- match: *.pay.example.com\n  channel: C012PAY\n') }),
      ).toEqual([expect.stringMatching(/^ALERT_ROUTES_FILE: .*not valid YAML: .*quote patterns that start with/)]);
      expect(problemsOf({ ALERT_ROUTES_FILE: file('map.yaml', 'match: x.example.com\nchannel: C012X\n') })).toEqual([
        expect.stringMatching(/^ALERT_ROUTES_FILE: must be a list/),
      ]);
      expect(problemsOf({ ALERT_ROUTES_FILE: dir })).toEqual([
        expect.stringMatching(/^ALERT_ROUTES_FILE: cannot read .*: it is a folder$/),
      ]);
    });

    test('the derived routes are not a documented variable', () => {
      expect(Object.keys(configSchema.shape)).not.toContain('alertRoutes');
      expect(envExample()).toContain('ALERT_DAYS=30,14,7,3,1');
      expect(envExample()).toContain('ALERT_HOURS=09:00-20:00');
    });
  });
});
