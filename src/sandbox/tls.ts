import { generate } from 'selfsigned';

/**
 * A self-signed certificate for the simulator's HTTPS mode (SandboxOptions.tls), valid a year
 * for localhost, 127.0.0.1 and ::1 (IP SANs included: clients connect to the address).
 * @alicloud/credentials always calls STS over https, so that is what lets it reach the
 * simulator. A process trusts it through NODE_EXTRA_CA_CERTS=<a file holding `cert`>, which
 * Node reads once at start-up: set it when starting the process, not from inside it.
 */
export async function createSandboxCertificate(): Promise<{ key: string; cert: string }> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 365 * 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
