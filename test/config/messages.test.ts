import { parseEndpoint } from '../../src/cas/endpoint';
import { ConfigError, configSchema, loadConfig } from '../../src/config';

/*
 * What a configuration problem says: the variable, what is wrong, and what to write instead.
 * Each case asserts the exact line loadConfig reports.
 */

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('number variables', () => {
  test('not a number: the value, the range, the default and an example', () => {
    expect(problemsOf({ CAS_QPS: 'abc' })).toEqual([
      'CAS_QPS: "abc" is not a whole number; use 1 to 1000 (default 10), e.g. CAS_QPS=10',
    ]);
    expect(problemsOf({ CAS_TIMEOUT_MS: '2.5' })).toEqual([
      'CAS_TIMEOUT_MS: "2.5" is not a whole number; use 100 to 120000 (default 10000), e.g. CAS_TIMEOUT_MS=10000',
    ]);
    expect(problemsOf({ PORT: '0x50' })).toEqual([
      'PORT: "0x50" is not a whole number; use 0 to 65535 (default 3000), e.g. PORT=3000',
    ]);
  });

  test('out of range: the value, the range and the default', () => {
    expect(problemsOf({ CAS_QPS: '5000' })).toEqual(['CAS_QPS: 5000 is out of range; use 1 to 1000 (default 10)']);
    expect(problemsOf({ CAS_QPS: '0' })).toEqual(['CAS_QPS: 0 is out of range; use 1 to 1000 (default 10)']);
    expect(problemsOf({ ALERT_CHECK_MINUTES: '-5' })).toEqual([
      'ALERT_CHECK_MINUTES: -5 is out of range; use 1 to 1440 (default 60)',
    ]);
  });

  test('every number variable says so in the same words', () => {
    const numbers = Object.entries(configSchema.shape).filter(
      ([, field]) => typeof field.parse(undefined) === 'number',
    );
    expect(numbers.map(([name]) => name)).toEqual(
      expect.arrayContaining(['CAS_QPS', 'PORT', 'INVENTORY_SYNC_MINUTES']),
    );
    for (const [name] of numbers) {
      const [problem] = problemsOf({ [name]: 'lots' });
      expect(problem).toMatch(
        new RegExp(`^${name}: "lots" is not a whole number; use \\d+ to \\d+ \\(default \\d+\\), e.g. ${name}=\\d+$`),
      );
      expect(problemsOf({ [name]: '99999999' })[0]).toMatch(
        new RegExp(`^${name}: 99999999 is out of range; use \\d+ to \\d+ \\(default \\d+\\)$`),
      );
    }
  });

  test('whole numbers in other spellings and with spaces are accepted', () => {
    expect(loadConfig({ CAS_QPS: ' 20 ', CAS_TIMEOUT_MS: '1e3', PORT: '8080.0' })).toMatchObject({
      CAS_QPS: 20,
      CAS_TIMEOUT_MS: 1000,
      PORT: 8080,
    });
  });
});

describe('DIGEST_CRON', () => {
  const example = 'e.g. "0 9 * * 1" (Mondays 09:00)';

  test('a field out of range is named, with its range', () => {
    expect(problemsOf({ DIGEST_CRON: '61 9 * * 1' })).toEqual([
      `DIGEST_CRON: "61 9 * * 1": minute 61 is out of range 0-59; ${example}`,
    ]);
    expect(problemsOf({ DIGEST_CRON: '0 24 * * 1' })).toEqual([
      `DIGEST_CRON: "0 24 * * 1": hour 24 is out of range 0-23; ${example}`,
    ]);
    expect(problemsOf({ DIGEST_CRON: '0 9 0 * *' })).toEqual([
      `DIGEST_CRON: "0 9 0 * *": day of month 0 is out of range 1-31; ${example}`,
    ]);
    expect(problemsOf({ DIGEST_CRON: '0 9 * 1-13 *' })).toEqual([
      `DIGEST_CRON: "0 9 * 1-13 *": month 13 is out of range 1-12; ${example}`,
    ]);
    expect(problemsOf({ DIGEST_CRON: '0 9 * * 1,8' })).toEqual([
      `DIGEST_CRON: "0 9 * * 1,8": day of week 8 is out of range 0-7 (0 and 7 are Sunday); ${example}`,
    ]);
    expect(problemsOf({ DIGEST_CRON: '60 0 9 * * 1' })).toEqual([
      `DIGEST_CRON: "60 0 9 * * 1": second 60 is out of range 0-59; ${example}`,
    ]);
  });

  test('the wrong number of fields: how many were given', () => {
    expect(problemsOf({ DIGEST_CRON: '0 9 * *' })).toEqual([
      `DIGEST_CRON: "0 9 * *" has 4 fields; use 5 (minute hour day-of-month month day-of-week) or 6 (seconds first), ${example}`,
    ]);
    expect(problemsOf({ DIGEST_CRON: 'weekly' })).toEqual([
      `DIGEST_CRON: "weekly" has 1 field; use 5 (minute hour day-of-month month day-of-week) or 6 (seconds first), ${example}`,
    ]);
  });

  test('other mistakes in a field', () => {
    expect(problemsOf({ DIGEST_CRON: '0 9 * * monday' })).toEqual([
      `DIGEST_CRON: "0 9 * * monday": day of week "monday" is not a number or a name such as MON; ${example}`,
    ]);
    expect(problemsOf({ DIGEST_CRON: '*/0 9 * * 1' })).toEqual([
      `DIGEST_CRON: "*/0 9 * * 1": minute step "0" must be a whole number of at least 1; ${example}`,
    ]);
    expect(problemsOf({ DIGEST_CRON: '0 9 20-10 * *' })).toEqual([
      `DIGEST_CRON: "0 9 20-10 * *": day of month range 20-10 runs backwards; write 10-20 or list both parts; ${example}`,
    ]);
    // Field by field fine, but never due: cron-parser's reason.
    expect(problemsOf({ DIGEST_CRON: '0 9 31 2 *' })).toEqual([
      `DIGEST_CRON: "0 9 31 2 *": Invalid explicit day of month definition; ${example}`,
    ]);
  });

  test('names, lists, steps, seconds and the libraries’ own forms are accepted', () => {
    for (const expression of ['0 9 * * MON-FRI', '0 9 * jan,jul mon', '*/15 8-18 * * 1-5', '0 0 9 * * 1', '0 9 L * *'])
      expect(loadConfig({ DIGEST_CRON: expression }).DIGEST_CRON).toBe(expression);
    expect(loadConfig({ DIGEST_CRON: '  0 9 * * 1 ' }).DIGEST_CRON).toBe('0 9 * * 1');
  });
});

describe('empty values mean unset', () => {
  const defaults = loadConfig({});

  test('every variable of the schema takes its default when set to nothing or spaces', () => {
    for (const name of Object.keys(configSchema.shape)) {
      for (const empty of ['', '   ']) {
        const config = loadConfig({ [name]: empty });
        expect({ name, value: config[name as keyof typeof config] }).toEqual({
          name,
          value: defaults[name as keyof typeof defaults],
        });
      }
    }
  });

  test('the cases the user hit', () => {
    expect(loadConfig({ DIGEST_CRON: '', CAS_QPS: '', DIGEST_TIMEZONE: '', LOG_LEVEL: '' })).toMatchObject({
      DIGEST_CRON: '0 9 * * 1',
      CAS_QPS: 10,
      DIGEST_TIMEZONE: 'UTC',
      LOG_LEVEL: 'info',
    });
    expect(loadConfig({ CAS_ENDPOINT: '', CAS_REGION: '', DATA_DIR: '' })).toMatchObject({
      CAS_ENDPOINT: 'cas.aliyuncs.com',
      CAS_REGION: 'cn-hangzhou',
      DATA_DIR: './data',
    });
  });
});

describe('choices are case-insensitive', () => {
  test('LOG_LEVEL and METRICS_PER_CERTIFICATE in any case, normalised to lowercase', () => {
    expect(loadConfig({ LOG_LEVEL: 'INFO' }).LOG_LEVEL).toBe('info');
    expect(loadConfig({ LOG_LEVEL: ' Debug ' }).LOG_LEVEL).toBe('debug');
    expect(loadConfig({ METRICS_PER_CERTIFICATE: 'FALSE' }).METRICS_PER_CERTIFICATE).toBe(false);
    expect(loadConfig({ METRICS_PER_CERTIFICATE: 'True' }).METRICS_PER_CERTIFICATE).toBe(true);
  });

  test('an unknown choice: the value and every choice', () => {
    expect(problemsOf({ LOG_LEVEL: 'VERBOSE' })).toEqual([
      'LOG_LEVEL: "VERBOSE" is not one of fatal, error, warn, info, debug, trace, silent (default info); any case is accepted',
    ]);
    expect(problemsOf({ METRICS_PER_CERTIFICATE: 'yes' })).toEqual([
      'METRICS_PER_CERTIFICATE: "yes" is not one of true, false (default true); any case is accepted',
    ]);
  });
});

describe('CAS_ENDPOINT', () => {
  test('an IP address or localhost with a port and no scheme: refused, pointing at http:// for the simulator', () => {
    expect(problemsOf({ CAS_ENDPOINT: '127.0.0.1:9000' })).toEqual([
      'CAS_ENDPOINT: "127.0.0.1:9000" has no scheme; write http://127.0.0.1:9000 for the simulator or https://… (a bare host name means https)',
    ]);
    expect(problemsOf({ CAS_ENDPOINT: 'localhost:9000' })).toEqual([
      'CAS_ENDPOINT: "localhost:9000" has no scheme; write http://localhost:9000 for the simulator or https://… (a bare host name means https)',
    ]);
  });

  test('a bare host name, with or without a port, means https', () => {
    expect(loadConfig({ CAS_ENDPOINT: 'cas.example.com:8443' }).CAS_ENDPOINT).toBe('cas.example.com:8443');
    expect(parseEndpoint('cas.example.com:8443')).toEqual({ host: 'cas.example.com:8443', protocol: 'https' });
    expect(parseEndpoint('cas.aliyuncs.com')).toEqual({ host: 'cas.aliyuncs.com', protocol: 'https' });
    expect(parseEndpoint('http://127.0.0.1:9000')).toEqual({ host: '127.0.0.1:9000', protocol: 'http' });
    expect(parseEndpoint('https://cas.example.com/')).toEqual({ host: 'cas.example.com', protocol: 'https' });
  });

  test('a malformed endpoint is a start-up error naming the variable', () => {
    expect(problemsOf({ CAS_ENDPOINT: 'cas aliyuncs com' })).toEqual([
      'CAS_ENDPOINT: "cas aliyuncs com" is not a host name or URL; e.g. cas.aliyuncs.com or http://127.0.0.1:9000',
    ]);
    expect(problemsOf({ CAS_ENDPOINT: 'http://' })).toEqual([
      'CAS_ENDPOINT: "http://" is not a valid URL; e.g. cas.aliyuncs.com or http://127.0.0.1:9000',
    ]);
    expect(problemsOf({ CAS_ENDPOINT: 'ftp://cas.example.com' })).toEqual([
      'CAS_ENDPOINT: scheme ftp: is not supported; use http:// or https://',
    ]);
    expect(problemsOf({ CAS_ENDPOINT: 'http://127.0.0.1:9000/cas' })).toEqual([
      'CAS_ENDPOINT: "http://127.0.0.1:9000/cas" must be only a scheme, host and port, such as http://127.0.0.1:9000 (no path)',
    ]);
    expect(problemsOf({ CAS_ENDPOINT: 'cas.example.com:70000' })).toEqual([
      'CAS_ENDPOINT: "cas.example.com:70000": port 70000 is out of range 1-65535',
    ]);
    expect(problemsOf({ CAS_ENDPOINT: 'https://user:hunter2@cas.example.com' })).toEqual([
      'CAS_ENDPOINT: the URL must not hold a user name or password',
    ]);
  });

  test('parseEndpoint applies the same rules', () => {
    expect(() => parseEndpoint('127.0.0.1:9000')).toThrow(
      'CAS_ENDPOINT: "127.0.0.1:9000" has no scheme; write http://127.0.0.1:9000 for the simulator',
    );
  });
});

describe('REDIS_URL', () => {
  test('the database in the path must be a number 0-15', () => {
    expect(problemsOf({ REDIS_URL: 'redis://:s3cret@10.0.0.5:6379/abc' })).toEqual([
      'REDIS_URL: database "abc" in the path must be a number such as /0',
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://:s3cret@10.0.0.5:6379/99' })).toEqual([
      'REDIS_URL: database 99 in the path is out of range; use 0 to 15 (Redis has 16 by default), e.g. /0',
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://10.0.0.5:6379?db=x' })).toEqual([
      'REDIS_URL: database "x" in ?db= must be a number such as ?db=0',
    ]);
    for (const url of [
      'redis://:s3cret@10.0.0.5:6379/15',
      'rediss://10.0.0.5',
      'redis://10.0.0.5:6379/',
      'redis://h/0',
    ])
      expect(loadConfig({ REDIS_URL: url }).REDIS_URL).toBe(url);
  });

  test('other mistakes, never showing the password', () => {
    const example = 'e.g. redis://:password@10.0.0.5:6379/0';
    const invalid = `REDIS_URL: is not a valid URL (a user name or password with @ : / ? # or % must be percent-encoded, e.g. / as %2F); ${example}`;
    expect(problemsOf({ REDIS_URL: 'http://:s3cret@10.0.0.5:6379' })).toEqual([
      `REDIS_URL: must be a redis:// or rediss:// URL, ${example}`,
    ]);
    // A "/", "#" or "?" in the password moves the rest of it after the host.
    expect(problemsOf({ REDIS_URL: 'redis://bot:12/s3cret@10.0.0.5:6379/0' })).toEqual([invalid]);
    expect(problemsOf({ REDIS_URL: 'redis://bot:12?s3cret@10.0.0.5:6379/0' })).toEqual([invalid]);
    expect(problemsOf({ REDIS_URL: 'redis://:s3#cret@10.0.0.5:6379/0' })).toEqual([invalid]);
    expect(problemsOf({ REDIS_URL: 'redis://' })).toEqual([`REDIS_URL: names no host; ${example}`]);
  });
});

describe('DATABASE_URL', () => {
  const example = 'e.g. postgres://certbot:password@db.example.com:5432/certbot';

  test('a malformed URL is a config error naming DATABASE_URL, never showing the password', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://' })).toEqual([
      `DATABASE_URL: names no host (or ?host= for a Unix socket); ${example}`,
    ]);
    expect(problemsOf({ DATABASE_URL: 'postgres://bot:s3cret@' })).toEqual([
      `DATABASE_URL: is not a valid URL (a user name or password with @ : / ? # or % must be percent-encoded, e.g. / as %2F); ${example}`,
    ]);
    expect(problemsOf({ DATABASE_URL: 'postgres://bot:s3/cret@db:5432/certbot' })).toEqual([
      `DATABASE_URL: is not a valid URL (a user name or password with @ : / ? # or % must be percent-encoded, e.g. / as %2F); ${example}`,
    ]);
    expect(problemsOf({ DATABASE_URL: 'mysql://bot:s3cret@db/certbot' })).toEqual([
      `DATABASE_URL: must be a postgres:// or postgresql:// URL, ${example}`,
    ]);
  });

  test('hosts, sockets and both schemes are accepted', () => {
    for (const url of [
      'postgres://bot:s3cret@db.example.com:5432/certbot',
      'postgresql://db/certbot?sslmode=require',
      'postgres:///certbot?host=/var/run/postgresql',
    ])
      expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
  });
});

test('SLACK_BOT_TOKEN takes a bot token only, as its message says: a user token (xoxp-) is refused', () => {
  expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-bot' }).SLACK_BOT_TOKEN).toBe('xoxb-1-2-bot');
  for (const token of ['xoxp-1-2-user-token', 'xoxa-2-app', 'xapp-1-socket']) {
    let problems: string[] = [];
    try {
      loadConfig({ SLACK_BOT_TOKEN: token });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      "SLACK_BOT_TOKEN: must start with xoxb-: the app's Bot User OAuth Token (OAuth & Permissions), not a user token",
    ]);
    expect(problems.join('\n')).not.toContain(token);
  }
});

test('no problem ever shows the value of a secret variable', () => {
  const secret = 'Zq9SECRETzq9';
  const envs: Record<string, string>[] = [
    { ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret },
    { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tExample', ALIBABA_CLOUD_SECURITY_TOKEN: secret },
    { SLACK_BOT_TOKEN: secret, SLACK_APP_TOKEN: secret, SLACK_SIGNING_SECRET: secret },
    { REDIS_URL: `redis://bot:${secret}@10.0.0.5:6379/abc` },
    { REDIS_URL: `redis://bot:${secret}@10.0.0.5:6379/99` },
    { REDIS_URL: `redis://bot:1/${secret}@10.0.0.5:6379/0` },
    { REDIS_URL: `redis://bot:${secret}@` },
    { REDIS_URL: `http://bot:${secret}@10.0.0.5` },
    { DATABASE_URL: `postgres://bot:${secret}@` },
    { DATABASE_URL: `postgres://bot:1/${secret}@db/certbot` },
    { DATABASE_URL: `postgres://:${secret}@/certbot` },
    { DATABASE_URL: `pg://bot:${secret}@db/certbot` },
  ];
  for (const env of envs) {
    let problems: string[] = [];
    try {
      loadConfig(env, ['slack']);
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem).not.toContain(secret.slice(2, -2));
  }
});
