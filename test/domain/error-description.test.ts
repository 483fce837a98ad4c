import { describeError, failureReason, networkReason, networkWording } from '../../src/domain/error-description';

test('an error of any shape is described by name, kind, code, first line and RequestId', () => {
  const cas = Object.assign(new Error('ListUserCertificateOrder was throttled\nat line 2'), {
    name: 'CasError',
    kind: 'throttled',
    code: 'Throttling.User',
    requestId: 'A1B2',
  });
  expect(describeError(cas)).toEqual({
    name: 'CasError',
    kind: 'throttled',
    code: 'Throttling.User',
    message: 'ListUserCertificateOrder was throttled',
    requestId: 'A1B2',
  });
  expect(describeError('plain text')).toEqual({ name: 'string', message: 'plain text' });
  expect(describeError(undefined)).toEqual({ name: 'undefined', message: 'undefined' });
  expect(describeError({ code: 'ECONNRESET' })).toEqual({ name: 'Error', code: 'ECONNRESET', message: '' });
  expect(describeError(new Error('x'.repeat(1000))).message).toHaveLength(300);
});

test.each([
  ['connect ETIMEDOUT 10.0.0.1:443', 'timed out'],
  ['TimeoutError: The operation was aborted due to timeout', 'timed out'],
  ['connect ECONNREFUSED 127.0.0.1:9', 'connection refused'],
  ['getaddrinfo ENOTFOUND cas.example', 'host not found'],
  ['socket hang up', 'connection reset'],
  ['UND_ERR_SOCKET other side closed', 'connection reset'],
  ['connect EHOSTUNREACH 10.0.0.1:443', 'host unreachable'],
  ['EPROTO wrong version number', 'TLS error'],
  ['something else entirely', 'network error'],
])('%s reads as "%s" wherever it is met', (text, words) => {
  expect(networkWording(networkReason(text))).toBe(words);
});

test("a failure's one word: Slack's error code, else the socket's code, else the error's name", () => {
  expect(failureReason(Object.assign(new Error('An API error occurred'), { data: { error: 'not_in_channel' } }))).toBe(
    'not_in_channel',
  );
  expect(failureReason(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
  expect(failureReason(new TypeError('x is undefined'))).toBe('TypeError');
  expect(failureReason(undefined)).toBe('error');
});
