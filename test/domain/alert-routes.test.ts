import {
  type AlertRoute,
  alertRoutesFromYaml,
  globMatches,
  parseAlertRoutes,
  routeFor,
} from '../../src/domain/alert-routes';

describe('globMatches', () => {
  it.each([
    ['*.pay.example.com', 'a.pay.example.com', true],
    ['*.pay.example.com', 'a.b.pay.example.com', true],
    ['*.pay.example.com', 'pay.example.com', false],
    ['*.pay.example.com', 'xpay.example.com', false],
    ['*pay.example.com', 'pay.example.com', true],
    ['*.PAY.Example.com', 'A.pay.EXAMPLE.COM', true],
    ['www.example.com', 'WWW.EXAMPLE.COM', true],
    // Anchored at both ends.
    ['example.com', 'www.example.com', false],
    ['example.com', 'example.com.evil.net', false],
    ['www.*', 'www.example.com', true],
    ['www.*', 'api.www.example.com', false],
    ['*', 'anything.example.com', true],
    ['api-*.example.com', 'api-eu.example.com', true],
    ['api-*.example.com', 'api.example.com', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    // '.' is literal, not "any character".
    ['www.example.com', 'wwwxexample.com', false],
    // A wildcard SAN is just a name: '*' in the pattern matches its '*'.
    ['*.example.com', '*.example.com', true],
    ['', 'example.com', false],
    ['*', '', false],
  ])('%s against %s: %s', (pattern, name, expected) => {
    expect(globMatches(pattern, name)).toBe(expected);
  });

  test('no exponential backtracking on many stars', () => {
    const started = Date.now();
    expect(globMatches('*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('parseAlertRoutes', () => {
  test('rules separated by ";" or newlines, blanks ignored, with and without mentions', () => {
    const { routes, problems } = parseAlertRoutes(
      ' *.pay.example.com = C012PAY  <!subteam^S012PAY|payments> ;\n\n*.shop.example.com=G012SHOP;;\r\nwww.example.com=C012WWW <@U012ALICE>\naccount:LTAI-prod *=C012PROD <@W012BOB|bob>\n',
    );
    expect(problems).toEqual([]);
    expect(routes).toEqual<AlertRoute[]>([
      { pattern: '*.pay.example.com', channel: 'C012PAY', mention: '<!subteam^S012PAY|payments>' },
      { pattern: '*.shop.example.com', channel: 'G012SHOP' },
      { pattern: 'www.example.com', channel: 'C012WWW', mention: '<@U012ALICE>' },
      { pattern: '*', channel: 'C012PROD', mention: '<@W012BOB|bob>', account: 'LTAI-prod' },
    ]);
  });

  test('empty text: no rules', () => {
    expect(parseAlertRoutes('')).toEqual({ routes: [], problems: [] });
    expect(parseAlertRoutes(' ;\n ; ')).toEqual({ routes: [], problems: [] });
  });

  test('each problem names its rule (1-based, blanks not counted) and what is wrong', () => {
    const { routes, problems } = parseAlertRoutes(
      [
        'ok.example.com=C012OK',
        '',
        'no equals sign',
        'pay example.com=C012PAY',
        'pay_example.com=C012PAY',
        '=C012PAY',
        '*.x.com=#payments',
        '*.x.com=c012lower',
        '*.x.com=',
        '*.x.com=C012PAY @alice',
        '*.x.com=C012PAY <!channel>',
        '*.x.com=C012PAY <@U012A> <!here>',
        'account: *.x.com=C012PAY',
        'fine.example.com=D012DM',
      ].join('\n'),
    );
    expect(routes.map((route) => route.pattern)).toEqual(['ok.example.com', 'fine.example.com']);
    expect(problems).toHaveLength(11);
    expect(problems[0]).toMatch(/^rule 2 .*PATTERN=CHANNEL/);
    expect(problems[1]).toMatch(/^rule 3: pattern "pay example.com" has spaces/);
    expect(problems[2]).toMatch(/^rule 4: pattern "pay_example.com" may hold only/);
    expect(problems[3]).toMatch(/^rule 5: the pattern is empty/);
    expect(problems[4]).toMatch(/^rule 6: channel "#payments" is not a Slack channel ID such as C012ABCDEF/);
    expect(problems[5]).toMatch(/^rule 7: channel "c012lower" is not a Slack channel ID/);
    expect(problems[6]).toMatch(/^rule 8: the channel is missing/);
    expect(problems[7]).toMatch(/^rule 9: mention "@alice" is not a Slack user/);
    expect(problems[8]).toMatch(/^rule 10: mention "<!channel>" is not a Slack user/);
    expect(problems[9]).toMatch(/^rule 11: mention "<@U012A> <!here>" is not/);
    expect(problems[10]).toMatch(/^rule 12: "account:" must be followed by an account name/);
  });

  test('several problems of one rule are reported together', () => {
    expect(parseAlertRoutes('a b=#x <!everyone>').problems).toEqual([
      expect.stringMatching(/^rule 1: pattern "a b" has spaces; channel "#x" .*; mention "<!everyone>" /),
    ]);
  });

  test('a label cannot smuggle another mention', () => {
    expect(parseAlertRoutes('*=C012A <@U012A|x><!channel>').problems).toHaveLength(1);
    expect(parseAlertRoutes('*=C012A <!subteam^S012A|<!channel>>').problems).toHaveLength(1);
  });
});

describe('alertRoutesFromYaml', () => {
  test('a list of {match, channel, mention?} (and account)', () => {
    expect(
      alertRoutesFromYaml([
        { match: '*.pay.example.com', channel: 'C012PAY', mention: '<!subteam^S012PAY>' },
        { match: 'www.example.com', channel: 'C012WWW', mention: null },
        { match: '*', channel: 'C012PROD', account: 'LTAI-prod' },
      ]),
    ).toEqual({
      routes: [
        { pattern: '*.pay.example.com', channel: 'C012PAY', mention: '<!subteam^S012PAY>' },
        { pattern: 'www.example.com', channel: 'C012WWW' },
        { pattern: '*', channel: 'C012PROD', account: 'LTAI-prod' },
      ],
      problems: [],
    });
  });

  test('an empty document is no rules; anything but a list is refused', () => {
    expect(alertRoutesFromYaml(null)).toEqual({ routes: [], problems: [] });
    expect(alertRoutesFromYaml([])).toEqual({ routes: [], problems: [] });
    expect(alertRoutesFromYaml({ match: '*', channel: 'C012A' }).problems).toEqual([
      expect.stringMatching(/must be a list/),
    ]);
    expect(alertRoutesFromYaml('*=C012A').problems).toHaveLength(1);
  });

  test('bad entries are named (1-based) with what is wrong; good ones are kept', () => {
    const { routes, problems } = alertRoutesFromYaml([
      { match: 'ok.example.com', channel: 'C012OK' },
      'just text',
      { match: '*.x.com', channel: 'C012X', owner: 'team-x' },
      { match: 'bad name.com', channel: '#x' },
      { channel: 'C012X' },
      { match: 42, channel: 'C012X' },
      { match: '*.x.com', channel: 'C012X', mention: '@here' },
      ['*.x.com', 'C012X'],
    ]);
    expect(routes).toEqual([{ pattern: 'ok.example.com', channel: 'C012OK' }]);
    expect(problems).toEqual([
      expect.stringMatching(/^entry 2: must be a map/),
      expect.stringMatching(/^entry 3 \("\*\.x\.com"\): unknown key "owner"/),
      expect.stringMatching(/^entry 4 \("bad name.com"\): pattern "bad name.com" has spaces; channel "#x" is not/),
      expect.stringMatching(/^entry 5: the pattern is empty/),
      expect.stringMatching(/^entry 6: the pattern is empty/),
      expect.stringMatching(/^entry 7 .*mention "@here" is not a Slack user/),
      expect.stringMatching(/^entry 8: must be a map/),
    ]);
  });
});

describe('routeFor', () => {
  const routes: AlertRoute[] = [
    { pattern: '*.pay.example.com', channel: 'C012PAY', mention: '<!subteam^S012PAY>' },
    { pattern: '*', channel: 'C012PROD', account: 'LTAI-prod' },
    { pattern: '*.example.com', channel: 'C012WEB' },
    { pattern: 'api.pay.example.com', channel: 'C012NEVER' },
  ];
  const cert = (commonName: string | undefined, sans: string[] = [], account = 'LTAI-main') => ({
    account,
    commonName,
    sans,
  });

  test('the first matching route wins, with its mention', () => {
    expect(routeFor(cert('api.pay.example.com'), routes, 'C012DEFAULT')).toEqual({
      channel: 'C012PAY',
      mention: '<!subteam^S012PAY>',
    });
    expect(routeFor(cert('www.example.com'), routes, 'C012DEFAULT')).toEqual({ channel: 'C012WEB' });
  });

  test('any SAN can match, not only the CommonName', () => {
    expect(routeFor(cert('other.net', ['x.org', 'A.B.PAY.example.com']), routes, undefined)).toEqual({
      channel: 'C012PAY',
      mention: '<!subteam^S012PAY>',
    });
    expect(routeFor(cert(undefined, ['www.example.com']), routes, undefined)).toEqual({ channel: 'C012WEB' });
  });

  test("an account-scoped rule matches only that account's certificates", () => {
    expect(routeFor(cert('other.net', [], 'LTAI-prod'), routes, 'C012DEFAULT')).toEqual({ channel: 'C012PROD' });
    expect(routeFor(cert('other.net', [], 'LTAI-main'), routes, 'C012DEFAULT')).toEqual({ channel: 'C012DEFAULT' });
    // An earlier route still wins over the account's catch-all.
    expect(routeFor(cert('a.pay.example.com', [], 'LTAI-prod'), routes, undefined)?.channel).toBe('C012PAY');
  });

  test('no route matches: the default channel without a mention, or nothing', () => {
    expect(routeFor(cert('other.net'), routes, 'C012DEFAULT')).toEqual({ channel: 'C012DEFAULT' });
    expect(routeFor(cert('other.net'), routes, undefined)).toBeUndefined();
    expect(routeFor(cert(undefined), routes, undefined)).toBeUndefined();
    expect(routeFor(cert('www.example.com'), [], 'C012DEFAULT')).toEqual({ channel: 'C012DEFAULT' });
  });
});
