import { Client } from 'pg';
import { CasError, casErrorFromUpstream } from '../../../src/cas/errors';
import { renderCasError, renderUsage } from '../../../src/slack/blocks/errors';
import { escapeMrkdwn } from '../../../src/slack/blocks/escape';
import { allText } from '../../helpers/block-fixtures';
import { assertWithinBlockKitLimits } from '../../helpers/limits-checker';

describe('renderCasError', () => {
  it('says what failed, what to do, and the code and RequestId', () => {
    const error = casErrorFromUpstream({
      operation: 'GetRiskCount',
      code: 'Forbidden.RAM',
      statusCode: 403,
      requestId: 'REQ-7',
      authAction: 'yundun-cert:GetRiskCount',
    });
    const message = renderCasError(error, 'Could not load certificate risk');
    assertWithinBlockKitLimits(message);
    const text = allText(message);
    expect(text).toContain(':warning: *Could not load certificate risk*');
    expect(text).toContain("Grant the RAM action yundun-cert:GetRiskCount to the bot's RAM user or role.");
    expect(text).toContain('Error `Forbidden.RAM` · RequestId `REQ-7`');
    expect(message.text).toBe(
      "Could not load certificate risk (Forbidden.RAM). Grant the RAM action yundun-cert:GetRiskCount to the bot's RAM user or role.",
    );
  });

  it('names a missing RAM action the hint does not mention', () => {
    const error = new CasError({
      kind: 'auth',
      operation: 'ListUserCertificateOrder',
      code: 'NoPermission',
      message: 'x',
      hint: 'Check the permissions.',
      ramAction: 'yundun-cert:ListUserCertificateOrder',
    });
    expect(allText(renderCasError(error, 'Could not list certificates'))).toContain(
      'Missing permission: `yundun-cert:ListUserCertificateOrder`',
    );
  });

  it('keeps the message of other errors out of Slack', () => {
    const error = new Error('connect failed: AccessKeySecret=sk-very-secret');
    const message = renderCasError(error, 'Could not load certificate risk');
    assertWithinBlockKitLimits(message);
    const serialized = JSON.stringify(message);
    expect(serialized).not.toContain('sk-very-secret');
    expect(serialized).not.toContain('connect failed');
    expect(allText(message)).toContain('Something went wrong');
    expect(message.text).toBe('Could not load certificate risk: something went wrong.');
    expect(JSON.stringify(renderCasError('plain string secret', 'X'))).not.toContain('secret');
  });

  it('does not show the CasError message either, only its hint', () => {
    const error = new CasError({
      kind: 'unavailable',
      operation: 'op',
      code: 'InternalError',
      message: 'raw upstream text',
      hint: 'Try again in a minute.',
    });
    expect(JSON.stringify(renderCasError(error, 'Could not X'))).not.toContain('raw upstream text');
  });
});

describe('renderUsage', () => {
  it.each([
    ['/cert-risk', '/cert-risk [public] [digest]'],
    ['/cert-status', '/cert-status <serial> [serial ...] [public]'],
    ['/cert-list', '/cert-list [expiring|expired|issued|uploaded|stale|drift|all] [keyword] [public]'],
    ['/cert-probe', '/cert-probe <host[:port]> [public]'],
    ['/cert-assign', '/cert-assign <data-source-id> <count>'],
  ] as const)('shows the usage of %s', (command, syntax) => {
    const message = renderUsage(command);
    assertWithinBlockKitLimits(message);
    expect(allText(message)).toContain(`*Usage:* \`${syntax}\``);
    // The fallback is escaped like every fallback (Slack shows &lt; as <).
    expect(message.text).toBe(`Usage: ${escapeMrkdwn(syntax)}`);
  });

  it('puts the problem first, escaped', () => {
    const message = renderUsage('/cert-assign', 'Give exactly two numbers <here>.');
    expect(allText(message).startsWith(':warning: Give exactly two numbers &lt;here&gt;.\n*Usage:*')).toBe(true);
    expect(message.text).toBe(
      'Give exactly two numbers &lt;here&gt;. Usage: /cert-assign &lt;data-source-id&gt; &lt;count&gt;',
    );
  });

  it('matches the snapshot', () => {
    expect(renderUsage('/cert-status', 'Give at least one serial number.')).toMatchSnapshot();
  });
});

test('a database that is down is named as such, not as something wrong inside the bot', async () => {
  // A real driver error: PostgreSQL's client connecting to a port nobody listens on.
  const client = new Client({
    connectionString: 'postgres://postgres@127.0.0.1:1/test',
    connectionTimeoutMillis: 2_000,
  });
  const error = await client.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  const message = renderCasError(error, 'Could not list certificates');
  const text = JSON.stringify(message);
  expect(message.text).toBe("Could not list certificates: the bot's database is unavailable right now.");
  expect(text).toContain('Try again in a minute');
  expect(text).not.toContain('Something went wrong inside the bot');
  expect(text).not.toContain('ECONNREFUSED');
  // Any other failure keeps the generic answer.
  expect(renderCasError(new Error('boom'), 'Could not list certificates').text).toBe(
    'Could not list certificates: something went wrong.',
  );
});
