import type { ControlAnswer, ControlRequest, ControlRouteHandler } from '../control-routes';
import type { WireListener } from './listener';
import { parseWireSpec, WireError } from './resolution';

/**
 * The wire's control routes, under /_sandbox/wire:
 * - `GET wire`: the listener (host, port, endpoint), its CA (PEM) and the names told to serve
 *   something else, each with what it serves;
 * - `GET wire/names/<name>`: what a handshake for the name gets now;
 * - `PUT` (or `POST`) `wire/names/<name>` with `{"serve": MODE}` (modes: resolution.ts;
 *   `certificateId` for `certificate` and optionally `old`; `{"serve":"alternate","between":[A,B]}`):
 *   answers what the name will serve, or 409 when nothing fits (e.g. `old` without a renewed certificate);
 * - `DELETE wire/names/<name>`: back to what CAS says is deployed;
 * - `POST wire/reset`: every name back, handshake counts zeroed.
 * Without a listener (the simulator started without `wire`) every such route answers 404.
 */
export function wireRoutes(listener: () => WireListener | undefined): ControlRouteHandler {
  return (request: ControlRequest): ControlAnswer | undefined => {
    const { method, route } = request;
    if (route !== 'wire' && !route.startsWith('wire/')) return undefined;
    const wire = listener();
    if (!wire) return { status: 404, payload: { error: 'the wire is off: start the simulator with --wire' } };
    const named = /^wire\/names\/([^/]+)$/.exec(route);
    try {
      if (method === 'GET' && route === 'wire') {
        const names = Object.fromEntries(
          Object.entries(wire.overrides()).map(([name, spec]) => [name, { spec, serves: wire.preview(name) }]),
        );
        return {
          status: 200,
          payload: {
            host: wire.host,
            port: wire.port,
            endpoint: wire.endpoint,
            ca: wire.caPem,
            handshakes: wire.handshakes(),
            names,
          },
        };
      }
      if (method === 'POST' && route === 'wire/reset') {
        wire.reset();
        return { status: 200, payload: { reset: true } };
      }
      if (named) {
        const name = decodeURIComponent(named[1] as string);
        if (method === 'GET')
          return {
            status: 200,
            payload: { name, spec: wire.spec(name), serves: wire.preview(name), handshakes: wire.handshakes(name) },
          };
        if (method === 'PUT' || method === 'POST') {
          const spec = parseWireSpec(request.body());
          return { status: 200, payload: { name, spec, serves: wire.set(name, spec) } };
        }
        if (method === 'DELETE') {
          wire.clear(name);
          return { status: 200, payload: { name, spec: wire.spec(name), serves: wire.preview(name) } };
        }
      }
      return { status: 404, payload: { error: `no control route ${method} /_sandbox/${route}` } };
    } catch (error) {
      if (error instanceof WireError) return { status: error.status, payload: { error: error.message } };
      throw error;
    }
  };
}
