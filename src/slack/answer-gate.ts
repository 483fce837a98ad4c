/**
 * Slack allows 3 seconds to acknowledge a command and 30 minutes to answer it through
 * response_url. Under a burst, answer work (rendering Block Kit, posting the answer) competes
 * with acknowledgements for the one event loop, so every ack waits behind other requests'
 * answers. The gate lets answer work start only once no request has arrived for `idleMs`,
 * one piece per event-loop turn (new requests are read in between), so acks go first; no
 * answer waits longer than `maxWaitMs` for its turn.
 */
export interface AnswerGate {
  /** A request arrived: answers hold back until the loop has been quiet for a moment. */
  requestArrived(): void;
  /** Resolves when it is this answer's turn to use the CPU. */
  turn(): Promise<void>;
}

export interface AnswerGateOptions {
  idleMs?: number;
  maxWaitMs?: number;
  now?: () => number;
}

export function createAnswerGate(options: AnswerGateOptions = {}): AnswerGate {
  const idleMs = options.idleMs ?? 5;
  const maxWaitMs = options.maxWaitMs ?? 1_000;
  const now = options.now ?? (() => performance.now());
  let lastArrival = Number.NEGATIVE_INFINITY;
  const waiting: Array<{ since: number; release: () => void }> = [];
  let scheduled = false;

  const schedule = (delayMs: number) => {
    if (scheduled) return;
    scheduled = true;
    // setImmediate runs after pending I/O, so requests that arrived meanwhile are acked first.
    if (delayMs <= 0) setImmediate(pump);
    else setTimeout(pump, delayMs);
  };

  function pump(): void {
    scheduled = false;
    const next = waiting[0];
    if (!next) return;
    const at = now();
    const quietFor = at - lastArrival;
    if (quietFor >= idleMs || at - next.since >= maxWaitMs) {
      waiting.shift();
      next.release();
      if (waiting.length > 0) schedule(0);
    } else {
      schedule(Math.min(idleMs - quietFor, maxWaitMs - (at - next.since)));
    }
  }

  return {
    requestArrived() {
      lastArrival = now();
    },
    turn() {
      return new Promise<void>((release) => {
        waiting.push({ since: now(), release });
        schedule(0);
      });
    },
  };
}
