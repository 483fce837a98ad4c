import { X509Certificate } from 'node:crypto';
import { readConfigFile } from '../ops/config-file';
import { rootCertificates } from 'node:tls';

/** What a probe trusts: the public roots Node ships, plus the certificates of PROBE_CA_FILE. */

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM file, or what is wrong with it (never the file's contents). */
export function readTrustAnchors(file: string): string[] | { problem: string } {
  const read = readConfigFile(file);
  if ('problem' in read) return read;
  const blocks = read.text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0)
    return { problem: `${JSON.stringify(file)} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` };
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return { problem: `${JSON.stringify(file)}: certificate ${index + 1} is not a valid X.509 certificate` };
    }
  }
  return blocks;
}

export function trustAnchorsProblem(file: string): string | undefined {
  const anchors = readTrustAnchors(file);
  return Array.isArray(anchors) ? undefined : anchors.problem;
}

/** The `ca` option of a probe: Node's roots and the extra anchors, if any. */
export function trustStore(caFile: string | undefined): string[] {
  if (caFile === undefined) return [...rootCertificates];
  const anchors = readTrustAnchors(caFile);
  if (!Array.isArray(anchors)) throw new Error(`PROBE_CA_FILE: ${anchors.problem}`);
  return [...rootCertificates, ...anchors];
}
