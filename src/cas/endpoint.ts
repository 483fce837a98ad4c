/** Where the client sends its calls: the host (with port) that is also signed, and the scheme. */
export interface CasEndpoint {
  host: string;
  protocol: 'http' | 'https';
}

/**
 * CAS_ENDPOINT is either a bare host (`cas.aliyuncs.com`, always HTTPS) or a URL whose scheme
 * and port are honoured (`http://127.0.0.1:9000`). openapi-client wants the two apart: the
 * host goes into `endpoint` (and the signed Host header), the scheme into `protocol`.
 */
export function parseEndpoint(value: string): CasEndpoint {
  const trimmed = value.trim();
  if (!/^[a-z]+:\/\//i.test(trimmed)) {
    if (!/^[a-z0-9.-]+(:\d+)?$/i.test(trimmed)) throw new Error(`CAS_ENDPOINT: "${trimmed}" is not a host name or URL`);
    return { host: trimmed, protocol: 'https' };
  }
  const url = new URL(trimmed);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`CAS_ENDPOINT: scheme ${url.protocol} is not supported; use http:// or https://`);
  return { host: url.host, protocol: url.protocol === 'http:' ? 'http' : 'https' };
}
