import { CERTIFICATE_VIEWS } from '../../src/domain/views';
import { ACTION_IDS, BUTTONS } from '../../src/slack/button-codecs';

const NONCE = 'n0nce_ABCDEFGHIJKLMNOP-qrstuv';

describe('button action ids', () => {
  it('are the ids the listeners register on, one per button', () => {
    expect(ACTION_IDS).toEqual({
      listOpen: 'cert_list_open',
      listOpenOther: 'cert_list_open_2',
      listPrev: 'cert_list_prev',
      listNext: 'cert_list_next',
      assignConfirm: 'cert_assign_confirm',
      assignCancel: 'cert_assign_cancel',
      alertAcknowledge: 'cert_alert_ack',
      alertSnoozeDay: 'cert_alert_snooze_1d',
      alertSnoozeWeek: 'cert_alert_snooze_7d',
      driftAcknowledge: 'cert_drift_ack',
      driftSnoozeDay: 'cert_drift_snooze_1d',
      driftSnoozeWeek: 'cert_drift_snooze_7d',
      certInfo: 'cert_info_show',
      homeRefresh: 'cert_home_refresh',
    });
    for (const [name, codec] of Object.entries(BUTTONS))
      expect(codec.actionId).toBe(ACTION_IDS[name as keyof typeof ACTION_IDS]);
    expect(new Set(Object.values(ACTION_IDS)).size).toBe(Object.keys(ACTION_IDS).length);
  });
});

describe('list buttons', () => {
  it.each(CERTIFICATE_VIEWS)('round-trip the %s view', (status) => {
    expect(BUTTONS.listOpen.decode(BUTTONS.listOpen.encode({ status }))).toEqual({ status });
    for (const codec of [BUTTONS.listPrev, BUTTONS.listNext]) {
      expect(codec.decode(codec.encode({ status, page: 0 }))).toEqual({ status, page: 0 });
      expect(codec.decode(codec.encode({ status, keyword: 'shop', page: 3 }))).toEqual({
        status,
        keyword: 'shop',
        page: 3,
      });
    }
  });

  it('keep the JSON shape {status, keyword?, page}', () => {
    expect(JSON.parse(BUTTONS.listNext.encode({ status: 'expired', keyword: 'shop', page: 2 }))).toEqual({
      status: 'expired',
      keyword: 'shop',
      page: 2,
    });
    // No keyword: the key is left out, not sent as null.
    expect(BUTTONS.listNext.encode({ status: 'all', page: 1 })).toBe('{"status":"all","page":1}');
    expect(BUTTONS.listPrev.encode({ status: 'all', keyword: undefined, page: 1 })).toBe('{"status":"all","page":1}');
    expect(BUTTONS.listOpen.encode({ status: 'expiring' })).toBe('{"status":"expiring"}');
  });

  it('round-trip keywords with quotes, markup and emoji', () => {
    const keyword = 'a"b\\c <@U1> & 🔴 *.example.com';
    const value = BUTTONS.listNext.encode({ status: 'all', keyword, page: 1 });
    expect(BUTTONS.listNext.decode(value)).toEqual({ status: 'all', keyword, page: 1 });
  });

  it('read the largest page and a 2,000-character keyword', () => {
    expect(BUTTONS.listNext.decode('{"status":"all","page":1000000}')).toEqual({ status: 'all', page: 1_000_000 });
    const keyword = 'k'.repeat(2000);
    expect(BUTTONS.listNext.decode(JSON.stringify({ status: 'all', keyword, page: 0 }))?.keyword).toBe(keyword);
  });

  it.each([
    ['nothing', undefined],
    ['an empty value', ''],
    ['tampered JSON', '{"status":"all","page":1'],
    ['text that is not JSON', 'status=all&page=1'],
    ['JSON null', 'null'],
    ['a JSON array', '["all",1]'],
    ['a JSON string', '"all"'],
    ['a JSON number', '1'],
    ['an empty object', '{}'],
    ['a missing page', '{"status":"all"}'],
    ['a missing status', '{"page":1}'],
    ['an unknown view', '{"status":"revoked","page":1}'],
    ['a view in capitals', '{"status":"ALL","page":1}'],
    ['a status that is not a string', '{"status":1,"page":1}'],
    ['a negative page', '{"status":"all","page":-1}'],
    ['a fractional page', '{"status":"all","page":1.5}'],
    ['a page as a string', '{"status":"all","page":"1"}'],
    ['a page beyond 1,000,000', '{"status":"all","page":1000001}'],
    ['a page in exponent form beyond the limit', '{"status":"all","page":1e300}'],
    ['a keyword that is not a string', '{"status":"all","keyword":42,"page":1}'],
    ['a null keyword', '{"status":"all","keyword":null,"page":1}'],
    ['a keyword over 2,000 characters', JSON.stringify({ status: 'all', keyword: 'k'.repeat(2001), page: 1 })],
  ])('page buttons reject %s', (_name, raw) => {
    expect(BUTTONS.listPrev.decode(raw)).toBeUndefined();
    expect(BUTTONS.listNext.decode(raw)).toBeUndefined();
  });

  it.each([
    ['nothing', undefined],
    ['tampered JSON', '{"status":"expiring"'],
    ['an unknown view', '{"status":"everything"}'],
    ['a missing status', '{}'],
    ['a status that is not a string', '{"status":["expiring"]}'],
  ])('the open button rejects %s', (_name, raw) => {
    expect(BUTTONS.listOpen.decode(raw)).toBeUndefined();
  });

  it('decode to the fields the button carries, nothing more', () => {
    const decoded = BUTTONS.listNext.decode('{"status":"all","page":1,"admin":"U1","__proto__":{"polluted":true}}');
    expect(decoded).toEqual({ status: 'all', page: 1 });
    expect(Object.keys(decoded ?? {})).toEqual(['status', 'page']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('drift alert buttons', () => {
  const codecs = [BUTTONS.driftAcknowledge, BUTTONS.driftSnoozeDay, BUTTONS.driftSnoozeWeek];

  it('round-trip the endpoint, and carry nothing else', () => {
    for (const codec of codecs) {
      const value = codec.encode({ host: 'www.example.com', port: 8443 });
      expect(value).toBe('{"host":"www.example.com","port":8443}');
      expect(codec.decode(value)).toEqual({ host: 'www.example.com', port: 8443 });
    }
  });

  it.each([
    ['nothing', undefined],
    ['tampered JSON', '{"host":"www.example.com","port":443'],
    ['no port', '{"host":"www.example.com"}'],
    ['a port out of range', '{"host":"www.example.com","port":70000}'],
    ['a port as text', '{"host":"www.example.com","port":"443"}'],
    ['a host with a space', '{"host":"www example.com","port":443}'],
    ['a host in capitals', '{"host":"WWW.EXAMPLE.COM","port":443}'],
    ['a wildcard', '{"host":"*.example.com","port":443}'],
    ['a URL', '{"host":"https://www.example.com/","port":443}'],
    ['markup', '{"host":"<!channel>","port":443}'],
    ['a certificate alert value', '{"account":"default","id":"10000001"}'],
  ])('refuse %s', (_what, raw) => {
    for (const codec of codecs) expect(codec.decode(raw)).toBeUndefined();
  });
});

describe('assign buttons', () => {
  it('round-trip the nonce, and carry nothing else', () => {
    for (const codec of [BUTTONS.assignConfirm, BUTTONS.assignCancel]) {
      const value = codec.encode({ nonce: NONCE });
      expect(value).toBe(`{"nonce":"${NONCE}"}`);
      expect(codec.decode(value)).toEqual({ nonce: NONCE });
    }
  });

  it('accept nonces of 16 to 64 characters of [A-Za-z0-9_-]', () => {
    for (const nonce of ['a'.repeat(16), 'Z'.repeat(64), 'AZaz09_-AZaz09_-', '0123456789abcdefABCDEF_-']) {
      expect(BUTTONS.assignConfirm.decode(JSON.stringify({ nonce }))).toEqual({ nonce });
    }
  });

  it.each([
    ['nothing', undefined],
    ['an empty value', ''],
    ['tampered JSON', `{"nonce":"${NONCE}"`],
    ['an empty object', '{}'],
    ['the old request shape', '{"id":33285,"count":5,"admin":"U123ADMIN"}'],
    ['a nonce that is a number', '{"nonce":1234567890123456789}'],
    ['a null nonce', '{"nonce":null}'],
    ['an empty nonce', '{"nonce":""}'],
    ['a nonce of 15 characters', JSON.stringify({ nonce: 'a'.repeat(15) })],
    ['a nonce of 65 characters', JSON.stringify({ nonce: 'a'.repeat(65) })],
    ['a nonce with a space', JSON.stringify({ nonce: 'abcdefgh ijklmnop' })],
    ['a nonce with a slash', JSON.stringify({ nonce: '../../etc/passwd00' })],
    ['a nonce with a dot', JSON.stringify({ nonce: 'abcdefgh.ijklmnop' })],
    ['a nonce with markup', JSON.stringify({ nonce: '<!channel>abcdefghijk' })],
    ['a nonce with a newline', JSON.stringify({ nonce: `${'a'.repeat(16)}\n` })],
    ['a nonce with non-ASCII letters', JSON.stringify({ nonce: 'ąbcdefghijklmnopq' })],
    ['a list of nonces', JSON.stringify({ nonce: [NONCE] })],
  ])('reject %s', (_name, raw) => {
    expect(BUTTONS.assignConfirm.decode(raw)).toBeUndefined();
    expect(BUTTONS.assignCancel.decode(raw)).toBeUndefined();
  });

  it('decode to the nonce alone, whatever else a forged value carries', () => {
    expect(BUTTONS.assignConfirm.decode(JSON.stringify({ nonce: NONCE, count: 99999, admin: 'U1' }))).toEqual({
      nonce: NONCE,
    });
  });
});
