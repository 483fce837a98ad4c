import { controlRequest } from '../process';
import { CONTROL_PREFIX } from '../server';
import type { ServedView } from './listener';
import type { WireSpec } from './resolution';

/** The wire's control routes (routes.ts) of a simulator running at `url`, in any process. */
export interface WireControl {
  /** GET /_sandbox/wire: the listener, its CA and the names told to serve something else. */
  info(): Promise<{ endpoint: string; port: number; ca: string; handshakes: number; names: Record<string, unknown> }>;
  /** PUT /_sandbox/wire/names/<name>: answers what the name now serves (two views for an alternate). */
  serve(name: string, spec: WireSpec): Promise<ServedView[]>;
  /** GET /_sandbox/wire/names/<name>. */
  served(name: string): Promise<{ spec: WireSpec; serves: ServedView[]; handshakes: number }>;
  /** DELETE /_sandbox/wire/names/<name>: back to what CAS says is deployed. */
  clear(name: string): Promise<void>;
  /** POST /_sandbox/wire/reset. */
  reset(): Promise<void>;
}

/** Each method throws on a non-2xx answer, with its body. */
export function wireControl(url: string, options: { ca?: string } = {}): WireControl {
  const call = async (method: string, route: string, body?: unknown) => {
    const target = new URL(`${url}${CONTROL_PREFIX}${route}`);
    const res = await controlRequest(target, method, body === undefined ? undefined : JSON.stringify(body), options.ca);
    if (res.status < 200 || res.status > 299)
      throw new Error(`sandbox control ${method} ${route}: HTTP ${res.status} ${res.text}`.trim());
    return JSON.parse(res.text) as Record<string, unknown>;
  };
  const named = (name: string) => `wire/names/${encodeURIComponent(name)}`;
  return {
    info: async () => (await call('GET', 'wire')) as Awaited<ReturnType<WireControl['info']>>,
    serve: async (name, spec) => (await call('PUT', named(name), spec)).serves as ServedView[],
    served: async (name) => (await call('GET', named(name))) as Awaited<ReturnType<WireControl['served']>>,
    clear: async (name) => {
      await call('DELETE', named(name));
    },
    reset: async () => {
      await call('POST', 'wire/reset');
    },
  };
}
