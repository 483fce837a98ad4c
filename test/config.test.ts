import fs from 'node:fs';
import path from 'node:path';
import { readmeWithConfigTable } from '../src/cli/docs-config';
import { ConfigError, configSchema, envExample, loadConfig } from '../src/config';

const root = path.resolve(__dirname, '..');

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

  test('every problem is reported at once, by name, without echoing values', () => {
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

  test("the README's configuration table and .env.example are generated from the schema", () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readmeWithConfigTable(readme)).toBe(readme);
    expect(fs.readFileSync(path.join(root, '.env.example'), 'utf8')).toBe(envExample());
    for (const name of Object.keys(configSchema.shape)) expect(readme).toContain(`\`${name}\``);
  });
});
