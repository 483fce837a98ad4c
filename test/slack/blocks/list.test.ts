import { certificateFromOrder } from '../../../src/domain/certificate';
import { sortByDaysLeft } from '../../../src/domain/expiry';
import { renderCertificateList } from '../../../src/slack/blocks/list';
import { ACCOUNT, allText, buttons, certificate, certificateOrder, NOW } from '../../helpers/block-fixtures';
import { assertWithinBlockKitLimits } from '../../helpers/limits-checker';

const page = (count: number, start = 0) =>
  Array.from({ length: count }, (_, i) =>
    certificate({ CertificateId: 1000 + start + i, CommonName: `host${start + i}.example.com`, EndDate: '2025-03-22' }),
  );

describe('sortByDaysLeft', () => {
  it('puts the soonest end date first and unknown ones last, keeping order otherwise', () => {
    const items = [
      certificate({ CommonName: 'later', EndDate: '2025-06-01' }),
      certificate({ CommonName: 'unknown', EndDate: undefined }),
      certificate({ CommonName: 'expired', EndDate: '2025-03-01' }),
      certificate({ CommonName: 'soon-a', EndDate: '2025-03-12' }),
      certificate({ CommonName: 'bad-date', EndDate: 'n/a' }),
      certificate({ CommonName: 'soon-b', EndDate: '2025-03-12' }),
    ];
    expect(sortByDaysLeft(items, NOW).map((item) => item.commonName)).toEqual([
      'expired',
      'soon-a',
      'soon-b',
      'later',
      'unknown',
      'bad-date',
    ]);
    expect(items[0].commonName).toBe('later');
  });
});

describe('renderCertificateList', () => {
  const items = [
    certificate({
      CommonName: '*.example.com',
      CertificateId: 11,
      Issuer: 'DigiCert <G2> & Co',
      EndDate: '2025-03-01',
      Expired: true,
    }),
    certificate({ CommonName: 'api.example.com', CertificateId: 12, Issuer: "Let's Encrypt", EndDate: '2025-03-12' }),
    certificate({ CommonName: 'www.example.com', CertificateId: 13, EndDate: '2025-09-01', Upload: true }),
    certificate({ CommonName: undefined, Name: 'legacy-upload', CertificateId: 14, EndDate: undefined }),
  ];

  it('shows each certificate with name, ID, issuer, end date and days left', () => {
    const message = renderCertificateList({
      filter: { status: 'expiring', keyword: 'example' },
      page: 1,
      pageSize: 10,
      total: 57,
      items,
      now: NOW,
    });
    assertWithinBlockKitLimits(message);
    expect(message.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: 'Expiring certificates matching “example”' },
    });
    const text = allText(message);
    expect(text).toContain('Showing 11–14 of 57');
    expect(text).toContain(
      ':red_circle: *\u2217.example.com* — expired 9 days ago (ends 2025-03-01)\nID `11` · Issuer: DigiCert &lt;G2&gt; &amp; Co',
    );
    expect(text).toContain(
      ":large_orange_circle: *api.example.com* — 2 days left (ends 2025-03-12)\nID `12` · Issuer: Let's Encrypt",
    );
    expect(text).toContain(':large_green_circle: *www.example.com* — 175 days left (ends 2025-09-01)');
    expect(text).toContain('· uploaded');
    expect(text).toContain(':grey_question: *legacy-upload* — end date unknown\nID `14`');
    expect(message.text).toBe(
      'Expiring certificates matching “example”: showing 11–14 of 57. First: *.example.com, expired 9 days ago.',
    );
  });

  it('shows the exact digits of a CertificateId beyond 2^53, and the InstanceId of an order without one', () => {
    const exact = '12345678901234567891';
    const message = renderCertificateList({
      filter: { status: 'all' },
      page: 0,
      pageSize: 10,
      total: 2,
      items: [
        certificateFromOrder({ ...certificateOrder({ CommonName: 'big.example.com' }), CertificateId: exact }, ACCOUNT),
        certificate({ CommonName: 'pending.example.com', CertificateId: undefined, InstanceId: 'cas-ivauto-x1' }),
      ],
      now: NOW,
    });
    assertWithinBlockKitLimits(message);
    const text = allText(message);
    expect(text).toContain(`*big.example.com* — 12 days left (ends 2025-03-22)\nID \`${exact}\``);
    expect(text).toContain('*pending.example.com* — 12 days left (ends 2025-03-22)\nID `cas-ivauto-x1`');
  });

  it('names a certificate by its CAS name or InstanceId when CAS sent a blank CommonName', () => {
    const text = allText(
      renderCertificateList({
        filter: { status: 'all' },
        page: 0,
        pageSize: 10,
        total: 3,
        items: [
          certificate({ CommonName: '  ', Name: 'named-upload', CertificateId: 21 }),
          certificate({ CommonName: '', Name: '', CertificateId: undefined, InstanceId: 'cas-ivauto-y2' }),
          certificate({ CommonName: undefined, CertificateId: 23 }),
        ],
        now: NOW,
      }),
    );
    expect(text).toContain(':large_orange_circle: *named-upload* — 12 days left');
    expect(text).toContain(':large_orange_circle: *cas-ivauto-y2* — 12 days left');
    expect(text).toContain(':large_orange_circle: _(no common name)_ — 12 days left (ends 2025-03-22)\nID `23`');
  });

  it('shows Previous and Next only when those pages exist, with the target page as JSON', () => {
    const first = buttons(
      renderCertificateList({ filter: { status: 'all' }, page: 0, pageSize: 10, total: 25, items: page(10), now: NOW }),
    );
    expect(first.map((b) => b.action_id)).toEqual(['cert_list_next']);
    expect(JSON.parse(first[0].value ?? '')).toEqual({ status: 'all', page: 1 });

    const middle = buttons(
      renderCertificateList({
        filter: { status: 'expired', keyword: 'shop' },
        page: 1,
        pageSize: 10,
        total: 25,
        items: page(10, 10),
        now: NOW,
      }),
    );
    expect(middle.map((b) => [b.action_id, b.text])).toEqual([
      ['cert_list_prev', '◀ Previous'],
      ['cert_list_next', 'Next ▶'],
    ]);
    expect(JSON.parse(middle[0].value ?? '')).toEqual({ status: 'expired', keyword: 'shop', page: 0 });
    expect(JSON.parse(middle[1].value ?? '')).toEqual({ status: 'expired', keyword: 'shop', page: 2 });

    const last = buttons(
      renderCertificateList({
        filter: { status: 'issued' },
        page: 2,
        pageSize: 10,
        total: 25,
        items: page(5, 20),
        now: NOW,
      }),
    );
    expect(last.map((b) => b.action_id)).toEqual(['cert_list_prev']);
    expect(JSON.parse(last[0].value ?? '')).toEqual({ status: 'issued', page: 1 });

    const only = renderCertificateList({
      filter: { status: 'all' },
      page: 0,
      pageSize: 10,
      total: 4,
      items: page(4),
      now: NOW,
    });
    expect(buttons(only)).toEqual([]);
    expect(only.blocks.some((block) => block.type === 'actions')).toBe(false);
  });

  it('says so when nothing matches', () => {
    const expiring = renderCertificateList({
      filter: { status: 'expiring' },
      page: 0,
      pageSize: 10,
      total: 0,
      items: [],
      now: NOW,
    });
    assertWithinBlockKitLimits(expiring);
    expect(allText(expiring)).toContain(':white_check_mark: No expiring certificates.');
    expect(expiring.text).toBe('No expiring certificates.');

    const keyword = renderCertificateList({
      filter: { status: 'uploaded', keyword: 'a&b' },
      page: 0,
      pageSize: 10,
      total: 0,
      items: [],
      now: NOW,
    });
    expect(allText(keyword)).toContain('No uploaded certificates found matching “a&amp;b”.');

    const past = renderCertificateList({
      filter: { status: 'all' },
      page: 9,
      pageSize: 10,
      total: 25,
      items: [],
      now: NOW,
    });
    assertWithinBlockKitLimits(past);
    expect(allText(past)).toContain('Nothing on page 10; 25 certificates in all.');
    expect(JSON.parse(buttons(past)[0].value ?? '')).toEqual({ status: 'all', page: 2 });
  });

  it('turns paging off rather than send a button value Slack rejects', () => {
    const keyword = 'k'.repeat(2500);
    const message = renderCertificateList({
      filter: { status: 'all', keyword },
      page: 1,
      pageSize: 10,
      total: 50,
      items: page(10),
      now: NOW,
    });
    assertWithinBlockKitLimits(message);
    expect(buttons(message)).toEqual([]);
    expect(allText(message)).toContain('Paging is off for a keyword this long');
  });

  it('matches the snapshot', () => {
    expect(
      renderCertificateList({
        filter: { status: 'expiring' },
        page: 0,
        pageSize: 10,
        total: 12,
        items: items.slice(0, 3),
        now: NOW,
      }),
    ).toMatchSnapshot();
  });
});
