/** Where the client sends its calls: the host (with port) that is also signed, and the scheme. */
export interface CasEndpoint {
  host: string;
  protocol: 'http' | 'https';
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const HOST_PORT = /^([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::(\d+))?$/i;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const EXAMPLES = 'e.g. cas.aliyuncs.com or http://127.0.0.1:9000';

/**
 * What is wrong with a CAS_ENDPOINT value, without the variable's name; undefined when it is
 * fine. The rules:
 * - a bare host, with an optional port, means HTTPS (`cas.aliyuncs.com`, `cas.example.com:8443`);
 * - an IP address or `localhost` with a port but no scheme is refused: it is almost always the
 *   simulator, which speaks plain http, and would otherwise fail later as a network error;
 * - a URL must be http:// or https://, with a host and at most a port: no user, password, path,
 *   query or fragment (they would be dropped, not sent).
 * The value is repeated in the message (an endpoint is not a secret) unless it holds an `@`.
 */
export function endpointProblem(value: string): string | undefined {
  const text = value.trim();
  const quoted = text.includes('@') ? 'the value' : JSON.stringify(text);
  if (text === '') return `is empty; ${EXAMPLES}`;
  if (!SCHEME.test(text)) {
    const match = HOST_PORT.exec(text);
    if (!match) return `${quoted} is not a host name or URL; ${EXAMPLES}`;
    const [, host, port] = match;
    if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65_535))
      return `${quoted}: port ${port} is out of range 1-65535`;
    if (port !== undefined && (IPV4.test(host) || host.toLowerCase() === 'localhost'))
      return `${quoted} has no scheme; write http://${text} for the simulator or https://… (a bare host name means https)`;
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${quoted} is not a valid URL; ${EXAMPLES}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `scheme ${url.protocol} is not supported; use http:// or https://`;
  if (url.username !== '' || url.password !== '') return 'the URL must not hold a user name or password';
  if (url.hostname === '') return `${quoted} names no host; ${EXAMPLES}`;
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '')
    return `${quoted} must be only a scheme, host and port, such as http://127.0.0.1:9000 (no path)`;
  return undefined;
}

/**
 * CAS_ENDPOINT is either a bare host (`cas.aliyuncs.com`, always HTTPS) or a URL whose scheme
 * and port are honoured (`http://127.0.0.1:9000`); see `endpointProblem` for what is refused
 * (the config schema checks it at start). openapi-client wants the two apart: the host goes
 * into `endpoint` (and the signed Host header), the scheme into `protocol`.
 */
export function parseEndpoint(value: string): CasEndpoint {
  const problem = endpointProblem(value);
  if (problem !== undefined) throw new Error(`CAS_ENDPOINT: ${problem}`);
  const trimmed = value.trim();
  if (!SCHEME.test(trimmed)) return { host: trimmed, protocol: 'https' };
  const url = new URL(trimmed);
  return { host: url.host, protocol: url.protocol === 'http:' ? 'http' : 'https' };
}
