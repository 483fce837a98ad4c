/**
 * How a module of the simulator adds control routes of its own (under /_sandbox/) without the
 * server knowing them: the server offers every control request to each registered handler
 * before its own routes, and the first answer wins. A handler throws RangeError for bad input
 * (answered 400 with its message).
 */

export interface ControlRequest {
  method: string;
  /** The path after /_sandbox/, e.g. `wire/names/www.example.com`. */
  route: string;
  url: URL;
  /** The JSON body, or undefined when it is empty (a 400 when it is not JSON). */
  body(): unknown;
}

export interface ControlAnswer {
  status: number;
  payload: unknown;
}

/** Answers the routes it knows; undefined for the others. */
export type ControlRouteHandler = (request: ControlRequest) => ControlAnswer | undefined;
