import {
  type CertificateOrderRow,
  certificateFromOrder,
  certificateNames,
  datedCertificate,
  displayName,
  parseSans,
} from '../../src/domain/certificate';

const NOW = new Date('2025-03-10T09:30:00Z');

const row = (overrides: CertificateOrderRow = {}): CertificateOrderRow => ({
  CertificateId: 12345,
  InstanceId: 'cas-ivauto-abc',
  Name: 'cert-www',
  CommonName: 'www.example.com',
  Sans: 'www.example.com,example.com',
  Issuer: 'DigiCert Global G2',
  SerialNo: '0A1B2C',
  Fingerprint: 'AB:CD',
  StartDate: '2024-03-22',
  EndDate: '2025-03-22',
  Expired: false,
  Upload: false,
  Status: 'ISSUE',
  ResourceGroupId: 'rg-1',
  ...overrides,
});

describe('certificateFromOrder', () => {
  it('maps every field of a CAS row onto the model, filed under the account', () => {
    expect(certificateFromOrder(row(), 'default')).toEqual({
      account: 'default',
      id: '12345',
      certificateId: '12345',
      instanceId: 'cas-ivauto-abc',
      name: 'cert-www',
      commonName: 'www.example.com',
      sans: ['www.example.com', 'example.com'],
      issuer: 'DigiCert Global G2',
      serialNo: '0A1B2C',
      fingerprint: 'AB:CD',
      startDate: '2024-03-22',
      endDate: '2025-03-22',
      expired: false,
      uploaded: false,
      status: 'ISSUE',
      resourceGroupId: 'rg-1',
    });
    expect(certificateFromOrder(row(), 'LTAI-other').account).toBe('LTAI-other');
  });

  it('maps Sha2, the SHA-256 a served certificate is matched on, and drops a blank one', () => {
    expect(certificateFromOrder(row({ Sha2: 'AB01' }), 'a').sha2).toBe('AB01');
    expect(certificateFromOrder(row({ Sha2: ' ' }), 'a').sha2).toBeUndefined();
  });

  it('keeps the CertificateId as exact decimal digits', () => {
    expect(certificateFromOrder(row({ CertificateId: 9007199254740991 }), 'a').certificateId).toBe('9007199254740991');
    // Digits beyond 2^53 survive when they arrive as text.
    const big = '12345678901234567891';
    const fromText = certificateFromOrder(row({ CertificateId: big }), 'a');
    expect(fromText.certificateId).toBe(big);
    expect(fromText.id).toBe(big);
    expect(certificateFromOrder(row({ CertificateId: ' 42 ' }), 'a').certificateId).toBe('42');
  });

  it('drops a CertificateId it cannot keep exactly, rather than show a wrong one', () => {
    for (const bad of [2 ** 53 + 2, 0, -5, 1.5, Number.NaN, '', '12a', '-3', '1e5', '1'.repeat(21)]) {
      const certificate = certificateFromOrder(row({ CertificateId: bad }), 'a');
      expect(certificate.certificateId).toBeUndefined();
      expect(certificate.id).toBe('cas-ivauto-abc');
    }
  });

  it('keys a certificate by CertificateId, else InstanceId, else SerialNo', () => {
    expect(certificateFromOrder(row(), 'a').id).toBe('12345');
    expect(certificateFromOrder(row({ CertificateId: undefined }), 'a').id).toBe('cas-ivauto-abc');
    expect(certificateFromOrder(row({ CertificateId: undefined, InstanceId: ' ' }), 'a').id).toBe('0A1B2C');
    expect(certificateFromOrder({}, 'a').id).toBe('');
  });

  it('parses Sans, dropping blanks and repeats', () => {
    const sans = (Sans: string | undefined) => certificateFromOrder(row({ Sans }), 'a').sans;
    expect(sans('a.example.com,b.example.com, c.example.com')).toEqual([
      'a.example.com',
      'b.example.com',
      'c.example.com',
    ]);
    expect(sans(' a.example.com ,, a.example.com,*.example.com ')).toEqual(['a.example.com', '*.example.com']);
    expect(sans('a.example.com b.example.com\nc.example.com')).toEqual([
      'a.example.com',
      'b.example.com',
      'c.example.com',
    ]);
    expect(sans('')).toEqual([]);
    expect(sans(' , ,')).toEqual([]);
    expect(sans(undefined)).toEqual([]);
    expect(parseSans(42)).toEqual([]);
  });

  it('turns blank text fields into undefined', () => {
    const blank = certificateFromOrder(
      {
        CertificateId: undefined,
        InstanceId: '',
        Name: '   ',
        CommonName: '',
        Sans: '',
        Issuer: '\t',
        SerialNo: ' ',
        Fingerprint: '',
        StartDate: '',
        EndDate: ' \n',
        Status: '',
        ResourceGroupId: '',
      },
      'a',
    );
    expect(blank).toEqual({ account: 'a', id: '', sans: [], expired: false, uploaded: false });
    for (const key of [
      'certificateId',
      'instanceId',
      'name',
      'commonName',
      'issuer',
      'serialNo',
      'fingerprint',
      'startDate',
      'endDate',
      'status',
      'resourceGroupId',
    ] as const)
      expect(blank[key]).toBeUndefined();
  });

  it('keeps non-blank text exactly as CAS sent it (the renderers escape it)', () => {
    const certificate = certificateFromOrder(row({ CommonName: ' <b>x</b> ', Issuer: 'A & B' }), 'a');
    expect(certificate.commonName).toBe(' <b>x</b> ');
    expect(certificate.issuer).toBe('A & B');
  });

  it('reads Expired and Upload only when they are true', () => {
    expect(certificateFromOrder(row({ Expired: true, Upload: true }), 'a')).toMatchObject({
      expired: true,
      uploaded: true,
    });
    const loose = { ...row(), Expired: 'true', Upload: 1 } as unknown as CertificateOrderRow;
    expect(certificateFromOrder(loose, 'a')).toMatchObject({ expired: false, uploaded: false });
    expect(certificateFromOrder({}, 'a')).toMatchObject({ expired: false, uploaded: false });
  });

  it('does not throw on a missing row', () => {
    expect(certificateFromOrder(undefined as unknown as CertificateOrderRow, 'a')).toEqual({
      account: 'a',
      id: '',
      sans: [],
      expired: false,
      uploaded: false,
    });
  });
});

describe('derived values', () => {
  it('datedCertificate adds days left and urgency at now', () => {
    expect(datedCertificate(certificateFromOrder(row(), 'a'), NOW)).toMatchObject({
      daysLeft: 12,
      urgency: 'expiring',
    });
    expect(datedCertificate(certificateFromOrder(row({ EndDate: undefined, Expired: true }), 'a'), NOW)).toMatchObject({
      daysLeft: undefined,
      urgency: 'expired',
    });
  });

  it('displayName prefers CommonName, then Name, then InstanceId', () => {
    expect(displayName(certificateFromOrder(row(), 'a'))).toBe('www.example.com');
    expect(displayName(certificateFromOrder(row({ CommonName: ' ' }), 'a'))).toBe('cert-www');
    expect(displayName(certificateFromOrder(row({ CommonName: '', Name: '' }), 'a'))).toBe('cas-ivauto-abc');
    expect(displayName(certificateFromOrder({}, 'a'))).toBeUndefined();
  });

  it('certificateNames lists CommonName and SANs, lowercased, once each', () => {
    const certificate = certificateFromOrder(
      row({ CommonName: 'WWW.Example.com', Sans: 'www.example.com,API.example.com' }),
      'a',
    );
    expect(certificateNames(certificate)).toEqual(['www.example.com', 'api.example.com']);
  });
});
