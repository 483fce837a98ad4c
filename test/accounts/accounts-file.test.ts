import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeCredentials } from '../../src/accounts/account-config';
import { accountsFromFile, environmentAccount } from '../../src/accounts/accounts-file';
import { ACCOUNT_NAME_PATTERN, DEFAULT_ACCOUNT, isAccountName } from '../../src/domain/account';

const SECRETS = {
  PROD_KEY_ID: 'LTAI5tProdKeyId0000000001',
  PROD_KEY_SECRET: 'pRoDsEcReT0123456789abcdefABCD',
  PROD_STS_TOKEN: 'CAIS+token/with=chars0123456789',
  EMPTY_VAR: '  ',
};
const ENV: Record<string, string | undefined> = { ...SECRETS };
const DEFAULTS = { qps: 10 };

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-accounts-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function fileWith(yaml: string): string {
  counter += 1;
  const file = path.join(dir, `accounts-${counter}.yaml`);
  fs.writeFileSync(file, yaml);
  return file;
}

function load(yaml: string, env = ENV, defaults: { qps: number; region?: string } = DEFAULTS) {
  const result = accountsFromFile(fileWith(yaml), env, defaults);
  // No output, good or bad, ever holds a variable's value.
  const output = JSON.stringify(result.problems);
  for (const secret of Object.values(SECRETS)) if (secret.trim() !== '') expect(output).not.toContain(secret);
  return result;
}

function problemsOf(yaml: string, env = ENV): string[] {
  const result = load(yaml, env);
  expect(result.problems.length).toBeGreaterThan(0);
  return result.problems;
}

const KEYS = 'accessKeyId: PROD_KEY_ID\n  accessKeySecret: PROD_KEY_SECRET';

describe('accountsFromFile: good files', () => {
  it('builds every kind of account with the endpoints, regions and STS of its site', () => {
    const { accounts, problems } = load(`
- name: prod
  site: china
  ${KEYS}
  securityToken: PROD_STS_TOKEN
- name: intl
  site: international
  profile: intl
  qps: 25
  digestChannels: [C0DIGEST1, G0DIGEST2]
  alertChannel: C0ALERTS
- name: lab
  site: http://127.0.0.1:9000
  roleArn: acs:ram::123456789012:role/cert-bot
  externalId: abc-123
- name: sg-role
  site: international
  region: ap-southeast-5
  roleArn: acs:ram::1:role/reader
  roleSessionName: bot@sg
  stsEndpoint: sts-vpc.ap-southeast-1.aliyuncs.com
`);
    expect(problems).toEqual([]);
    expect(accounts).toEqual([
      {
        name: 'prod',
        site: 'china',
        endpoint: 'cas.aliyuncs.com',
        region: 'cn-hangzhou',
        qps: 10,
        credentials: {
          kind: 'keys',
          idVariable: 'PROD_KEY_ID',
          secretVariable: 'PROD_KEY_SECRET',
          accessKeyId: SECRETS.PROD_KEY_ID,
          accessKeySecret: SECRETS.PROD_KEY_SECRET,
          securityToken: SECRETS.PROD_STS_TOKEN,
        },
      },
      {
        name: 'intl',
        site: 'international',
        endpoint: 'cas.ap-southeast-1.aliyuncs.com',
        region: 'ap-southeast-1',
        qps: 25,
        credentials: { kind: 'profile', profile: 'intl' },
        digestChannels: ['C0DIGEST1', 'G0DIGEST2'],
        alertChannel: 'C0ALERTS',
      },
      {
        name: 'lab',
        site: 'url',
        endpoint: 'http://127.0.0.1:9000',
        region: 'cn-hangzhou',
        qps: 10,
        credentials: {
          kind: 'role',
          roleArn: 'acs:ram::123456789012:role/cert-bot',
          roleSessionName: 'cas-cert-bot',
          externalId: 'abc-123',
          stsEndpoint: '127.0.0.1:9000',
        },
      },
      {
        name: 'sg-role',
        site: 'international',
        endpoint: 'cas.ap-southeast-1.aliyuncs.com',
        region: 'ap-southeast-5',
        qps: 10,
        credentials: {
          kind: 'role',
          roleArn: 'acs:ram::1:role/reader',
          roleSessionName: 'bot@sg',
          stsEndpoint: 'sts-vpc.ap-southeast-1.aliyuncs.com',
        },
      },
    ]);
  });

  it('takes the china site STS endpoint for a role, the default qps, and a URL site the default region', () => {
    const { accounts } = load(
      `
- name: cn
  site: china
  roleArn: acs:ram::1:role/r
- name: sim
  site: https://cas.example.test:8443
  profile: sim
  digestChannels: []
`,
      ENV,
      { qps: 42, region: 'cn-shanghai' },
    );
    expect(accounts[0]).toMatchObject({
      qps: 42,
      region: 'cn-hangzhou',
      credentials: { kind: 'role', stsEndpoint: 'sts.aliyuncs.com', roleSessionName: 'cas-cert-bot' },
    });
    expect(accounts[1]).toMatchObject({
      site: 'url',
      endpoint: 'https://cas.example.test:8443',
      region: 'cn-shanghai',
      qps: 42,
      digestChannels: [],
    });
  });

  it('accepts a comma-separated digestChannels text and a site written in capitals', () => {
    const { accounts, problems } = load(`
- name: prod
  site: China
  profile: prod
  digestChannels: "C0AAA, C0BBB"
`);
    expect(problems).toEqual([]);
    expect(accounts[0]).toMatchObject({ site: 'china', digestChannels: ['C0AAA', 'C0BBB'] });
  });
});

describe('accountsFromFile: the file itself', () => {
  it('reports a missing file', () => {
    const file = path.join(dir, 'nope.yaml');
    expect(accountsFromFile(file, ENV, DEFAULTS)).toEqual({
      accounts: [],
      problems: [`cannot read ${JSON.stringify(file)}: no such file`],
    });
  });

  it('reports a folder', () => {
    expect(accountsFromFile(dir, ENV, DEFAULTS).problems).toEqual([
      `cannot read ${JSON.stringify(dir)}: it is a folder`,
    ]);
  });

  it('reports a file it may not read', () => {
    const file = fileWith('- name: prod\n');
    fs.chmodSync(file, 0o000);
    expect(problemsReadAsAnotherUser(file)).toEqual([`cannot read ${JSON.stringify(file)}: permission denied`]);
  });

  it('reports YAML that does not parse, with the first line of the parser error', () => {
    const file = fileWith('- name: prod\n  site: [china\n');
    const { problems } = accountsFromFile(file, ENV, DEFAULTS);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^"${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not valid YAML: `));
    expect(problems[0]).not.toContain('\n');
  });

  it('reports a key written twice in one entry', () => {
    expect(problemsOf('- name: prod\n  name: other\n')[0]).toMatch(/is not valid YAML: Map keys must be unique/);
  });

  it('hints at quoting when an unquoted value starts with *', () => {
    const [problem] = problemsOf('- name: prod\n  site: china\n  profile: *prod\n');
    expect(problem).toMatch(/is not valid YAML: Unresolved alias.*quote values that start with '\*'/);
  });

  it.each([
    ['an empty file', ''],
    ['an empty list', '[]\n'],
    ['only a comment', '# nothing yet\n'],
  ])('reports %s as listing no accounts', (_what, yaml) => {
    const [problem] = problemsOf(yaml);
    expect(problem).toMatch(/" lists no accounts: write a list of accounts, each a mapping with name, site/);
  });

  it('reports a mapping instead of a list', () => {
    const [problem] = problemsOf('accounts:\n  - name: prod\n');
    expect(problem).toMatch(/" must be a list of accounts \(each starting with "- name: \.\.\."\).*it is a mapping$/);
  });

  it('reports entries that are not mappings', () => {
    expect(problemsOf('- prod\n- [a, b]\n- 12\n')).toEqual([
      'entry 1: must be a mapping with name, site and credentials, not text',
      'entry 2: must be a mapping with name, site and credentials, not a list',
      'entry 3: must be a mapping with name, site and credentials, not a number',
    ]);
  });
});

describe('accountsFromFile: bad entries', () => {
  const entry = (body: string, name = 'prod') => `- name: ${name}\n  site: china\n${body}`;

  it('names the account, the field and the variable when a variable is not set or empty', () => {
    expect(problemsOf(entry('  accessKeyId: PROD_KEY_ID\n  accessKeySecret: PROD_SECRET\n'))).toEqual([
      'account "prod" (entry 1): accessKeySecret: environment variable PROD_SECRET is not set',
    ]);
    expect(
      problemsOf(entry('  accessKeyId: EMPTY_VAR\n  accessKeySecret: PROD_KEY_SECRET\n  securityToken: NO_TOKEN\n')),
    ).toEqual([
      'account "prod" (entry 1): accessKeyId: environment variable EMPTY_VAR is empty',
      'account "prod" (entry 1): securityToken: environment variable NO_TOKEN is not set',
    ]);
  });

  it('hints, without repeating it, when a key is written instead of a variable name', () => {
    const problems = problemsOf(
      entry(`  accessKeyId: ${SECRETS.PROD_KEY_ID}\n  accessKeySecret: ${SECRETS.PROD_KEY_SECRET}\n`),
    );
    expect(problems).toEqual([
      'account "prod" (entry 1): accessKeyId: looks like an AccessKey itself: name an environment variable that holds it, not the key itself (e.g. PROD_CAS_KEY_ID)',
      'account "prod" (entry 1): accessKeySecret: looks like an AccessKey itself: name an environment variable that holds it, not the key itself (e.g. PROD_CAS_KEY_SECRET)',
    ]);
  });

  it('hints, without repeating it, when the text cannot be a variable name', () => {
    const [problem] = problemsOf(entry('  accessKeyId: PROD_KEY_ID\n  accessKeySecret: "hunter 2!"\n'));
    expect(problem).toBe(
      'account "prod" (entry 1): accessKeySecret: is not an environment variable name (letters, digits and \'_\', not starting with a digit): name an environment variable that holds it, not the key itself (e.g. PROD_CAS_KEY_SECRET)',
    );
    // Shaped like an STS token: called a key, and not repeated either.
    const [token] = problemsOf(entry(`  ${KEYS}\n  securityToken: "${SECRETS.PROD_STS_TOKEN}"\n`));
    expect(token).toMatch(/securityToken: looks like an AccessKey itself/);
  });

  it('reports a missing name and a name with spaces or capitals as entry N, saying what is allowed', () => {
    expect(problemsOf('- site: china\n  profile: a\n')).toEqual([
      'entry 1: name: required, a short lowercase name such as prod',
    ]);
    expect(problemsOf(entry('  profile: a\n', 'Prod Shop'))).toEqual([
      `entry 1: name: "Prod Shop" is not allowed: use lowercase letters, digits and '-', starting with a letter, at most 32 characters (e.g. "prod-shop")`,
    ]);
    expect(problemsOf(entry('  profile: a\n', 'a'.repeat(33)))[0]).toMatch(/^entry 1: name: "a{33}" is not allowed/);
    expect(problemsOf(entry('  profile: a\n', '42'))[0]).toBe('entry 1: name: must be text, not a number');
  });

  it('reports duplicate names, ignoring case, naming both entries', () => {
    expect(
      problemsOf(`
- name: prod
  site: china
  profile: a
- name: test
  site: china
  profile: b
- name: prod
  site: international
  profile: c
`),
    ).toEqual([
      'account "prod" (entry 3): name: "prod" is also the name of entry 1 (names are compared ignoring case); each account needs its own name',
    ]);
    const problems = problemsOf(
      '- name: prod\n  site: china\n  profile: a\n- name: PROD\n  site: china\n  profile: b\n',
    );
    expect(problems).toContain(
      'entry 2: name: "PROD" is also the name of entry 1 (names are compared ignoring case); each account needs its own name',
    );
  });

  it('reports a site that is not china, international or a URL', () => {
    expect(problemsOf('- name: prod\n  site: europe\n  profile: a\n')).toEqual([
      'account "prod" (entry 1): site: "europe" must be china, international, or an http:// or https:// URL such as http://127.0.0.1:9000',
    ]);
    expect(problemsOf('- name: prod\n  profile: a\n')).toEqual([
      'account "prod" (entry 1): site: required: china, international, or an http(s) URL (the simulator)',
    ]);
    expect(problemsOf('- name: prod\n  site: http://127.0.0.1:9000/api?x=1\n  profile: a\n')[0]).toMatch(
      /site: ".*" must be only a scheme, host and port/,
    );
    const [withPassword] = problemsOf('- name: prod\n  site: http://user:hunter2@127.0.0.1:9000\n  profile: a\n');
    expect(withPassword).toBe('account "prod" (entry 1): site: the URL must not hold a user name or password');
  });

  it('reports two or three credential kinds in one account, naming them', () => {
    expect(problemsOf(entry(`  ${KEYS}\n  profile: prod\n`))).toEqual([
      'account "prod" (entry 1): credentials: accessKeyId and profile cannot be combined; give exactly one of accessKeyId + accessKeySecret (names of environment variables), profile, or roleArn',
    ]);
    expect(problemsOf(entry(`  ${KEYS}\n  profile: prod\n  roleArn: acs:ram::1:role/r\n`))[0]).toContain(
      'credentials: accessKeyId, profile and roleArn cannot be combined',
    );
  });

  it('reports an account without credentials', () => {
    expect(problemsOf(entry(''))).toEqual([
      'account "prod" (entry 1): credentials: missing; give accessKeyId + accessKeySecret (names of environment variables), profile, or roleArn',
    ]);
  });

  it('reports half a key pair, and a token without one', () => {
    expect(problemsOf(entry('  accessKeyId: PROD_KEY_ID\n'))).toEqual([
      'account "prod" (entry 1): accessKeySecret: required with accessKeyId: the name of the environment variable holding the secret',
    ]);
    expect(problemsOf(entry('  accessKeySecret: PROD_KEY_SECRET\n'))).toEqual([
      'account "prod" (entry 1): accessKeyId: required with accessKeySecret: the name of the environment variable holding the key ID',
    ]);
    expect(problemsOf(entry('  securityToken: PROD_STS_TOKEN\n'))).toEqual([
      'account "prod" (entry 1): securityToken: only allowed with accessKeyId and accessKeySecret',
    ]);
  });

  it('reports role fields without a role, and a bad role ARN or session name', () => {
    expect(problemsOf(entry('  roleSessionName: bot\n'))).toEqual([
      'account "prod" (entry 1): roleArn: required with roleSessionName: the ARN of the RAM role to assume',
    ]);
    expect(problemsOf(entry('  roleArn: arn:aws:iam::1:role/x\n  roleSessionName: "a b"\n'))).toEqual([
      'account "prod" (entry 1): roleArn: "arn:aws:iam::1:role/x" is not a RAM role ARN such as acs:ram::123456789012:role/cert-bot',
      `account "prod" (entry 1): roleSessionName: "a b" must be 2 to 64 letters, digits, '_', '.', '@' or '-'`,
    ]);
    expect(problemsOf(entry('  profile: a\n  stsEndpoint: sts.aliyuncs.com\n'))).toEqual([
      'account "prod" (entry 1): stsEndpoint: only used with roleArn (the STS endpoint the role is assumed through)',
    ]);
    expect(problemsOf(entry('  roleArn: acs:ram::1:role/r\n  stsEndpoint: https://sts.aliyuncs.com\n'))[0]).toContain(
      'stsEndpoint: "https://sts.aliyuncs.com" must be a host name with an optional port, without the scheme',
    );
  });

  it.each([['0'], ['1001'], ['2.5'], ['"20"'], ['fast']])('reports qps %s with the range and the default', (qps) => {
    expect(problemsOf(entry(`  profile: a\n  qps: ${qps}\n`))).toEqual([
      'account "prod" (entry 1): qps: must be a whole number from 1 to 1000 (leave it out for the default, CAS_QPS: 10)',
    ]);
  });

  it('reports unknown keys, naming each and a near match', () => {
    expect(problemsOf(entry('  profile: a\n  accesskeyid: X\n  colour: blue\n'))).toEqual([
      'account "prod" (entry 1): accesskeyid: unknown key; did you mean accessKeyId?',
      'account "prod" (entry 1): colour: unknown key; an account may have name, site, region, qps, stsEndpoint, accessKeyId, accessKeySecret, securityToken, profile, roleArn, roleSessionName, externalId, digestChannels, alertChannel',
    ]);
  });

  it('reports bad channels and regions', () => {
    expect(
      problemsOf(
        entry('  profile: a\n  region: Hangzhou\n  digestChannels: [C0OK, general, 7]\n  alertChannel: "#alerts"\n'),
      ),
    ).toEqual([
      'account "prod" (entry 1): region: "Hangzhou" is not a region ID such as cn-hangzhou or ap-southeast-1',
      'account "prod" (entry 1): digestChannels: item 2 "general" is not a Slack channel ID such as C012ABCDEF',
      'account "prod" (entry 1): digestChannels: item 3 is a number, not a Slack channel ID such as C012ABCDEF',
      'account "prod" (entry 1): alertChannel: "#alerts" is not a Slack channel ID such as C012ABCDEF',
    ]);
    expect(problemsOf(entry('  profile: a\n  alertChannel:\n'))).toEqual([
      'account "prod" (entry 1): alertChannel: is empty',
    ]);
  });

  it('reports every problem of every entry at once, and keeps no account of a bad file', () => {
    const result = load(`
- name: prod
  site: china
  accessKeyId: PROD_KEY_ID
  accessKeySecret: MISSING_SECRET
  qps: 0
- name: Bad Name
  site: mars
- name: ok
  site: china
  profile: ok
- name: prod
  site: international
  profile: p
  extra: 1
`);
    expect(result.problems).toEqual([
      'account "prod" (entry 1): qps: must be a whole number from 1 to 1000 (leave it out for the default, CAS_QPS: 10)',
      'account "prod" (entry 1): accessKeySecret: environment variable MISSING_SECRET is not set',
      `entry 2: name: "Bad Name" is not allowed: use lowercase letters, digits and '-', starting with a letter, at most 32 characters (e.g. "bad-name")`,
      'entry 2: site: "mars" must be china, international, or an http:// or https:// URL such as http://127.0.0.1:9000',
      'entry 2: credentials: missing; give accessKeyId + accessKeySecret (names of environment variables), profile, or roleArn',
      'account "prod" (entry 4): name: "prod" is also the name of entry 1 (names are compared ignoring case); each account needs its own name',
      'account "prod" (entry 4): extra: unknown key; an account may have name, site, region, qps, stsEndpoint, accessKeyId, accessKeySecret, securityToken, profile, roleArn, roleSessionName, externalId, digestChannels, alertChannel',
    ]);
    expect(result.accounts.map((account) => account.name)).toEqual(['ok']);
  });
});

describe('environmentAccount', () => {
  it('uses the explicit pair when both halves are set, with the site of the endpoint', () => {
    expect(
      environmentAccount({
        endpoint: 'cas.aliyuncs.com',
        region: 'cn-hangzhou',
        qps: 10,
        accessKeyId: 'id',
        accessKeySecret: 'secret',
        securityToken: 'token',
      }),
    ).toEqual({
      name: DEFAULT_ACCOUNT,
      site: 'china',
      endpoint: 'cas.aliyuncs.com',
      region: 'cn-hangzhou',
      qps: 10,
      credentials: {
        kind: 'keys',
        idVariable: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
        secretVariable: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
        accessKeyId: 'id',
        accessKeySecret: 'secret',
        securityToken: 'token',
      },
    });
  });

  it('uses the default chain otherwise', () => {
    const account = environmentAccount({
      endpoint: 'cas.ap-southeast-1.aliyuncs.com',
      region: 'ap-southeast-1',
      qps: 5,
      accessKeyId: 'id',
    });
    expect(account).toMatchObject({ name: 'default', site: 'international', qps: 5, credentials: { kind: 'chain' } });
    expect(environmentAccount({ endpoint: 'http://127.0.0.1:9000', region: 'cn-hangzhou', qps: 1 }).site).toBe('url');
  });
});

describe('account names and credential descriptions', () => {
  it.each([
    ['prod', true],
    ['cn-shop-2', true],
    ['a'.repeat(32), true],
    ['a'.repeat(33), false],
    ['Prod', false],
    ['prod shop', false],
    ['2prod', false],
    ['-prod', false],
    ['', false],
  ])('isAccountName(%j) is %s', (name, valid) => {
    expect(isAccountName(name)).toBe(valid);
    expect(ACCOUNT_NAME_PATTERN.test(name)).toBe(valid);
  });

  it('describes each credential kind without a secret', () => {
    expect(
      describeCredentials({
        kind: 'keys',
        idVariable: 'PROD_KEY_ID',
        secretVariable: 'PROD_KEY_SECRET',
        accessKeyId: SECRETS.PROD_KEY_ID,
        accessKeySecret: SECRETS.PROD_KEY_SECRET,
      }),
    ).toBe('keys (env PROD_KEY_ID)');
    expect(describeCredentials({ kind: 'profile', profile: 'prod' })).toBe('profile prod');
    expect(
      describeCredentials({ kind: 'role', roleArn: 'acs:ram::1:role/x', roleSessionName: 's', stsEndpoint: 'h' }),
    ).toBe('role acs:ram::1:role/x');
    expect(describeCredentials({ kind: 'chain' })).toBe('default chain');
  });
});

test('the name "default" is kept for the account of a bot without the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-accounts-default-'));
  const file = path.join(dir, 'accounts.yaml');
  fs.writeFileSync(file, '- name: default\n  site: china\n  profile: a\n');
  const { problems } = accountsFromFile(file, {}, { qps: 10 });
  expect(problems).toEqual([
    'account "default" (entry 1): name: "default" is the name of the account made from the environment without this file; give this one its own name (e.g. "prod")',
  ]);
});

/**
 * The problems for a file, read by a process without rights on it. Root reads any file through
 * its DAC override capabilities, so as root (CI runs as root) the built module runs in a child
 * that is still root but without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (util-linux's setpriv):
 * the file's own mode then applies, while the folders (root's own) stay reachable.
 */
function problemsReadAsAnotherUser(file: string): string[] {
  if (process.getuid?.() !== 0) return accountsFromFile(file, ENV, DEFAULTS).problems;
  const built = path.resolve(__dirname, '..', '..', 'dist', 'src', 'accounts', 'accounts-file.js');
  const script = `const { accountsFromFile } = require(${JSON.stringify(built)});
process.stdout.write(JSON.stringify(accountsFromFile(process.argv[1], {}, { qps: 10 }).problems));`;
  const child = spawnSync(
    'setpriv',
    ['--bounding-set=-dac_override,-dac_read_search', '--', process.execPath, '-e', script, file],
    { encoding: 'utf8' },
  );
  expect(child.error).toBeUndefined();
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as string[];
}
