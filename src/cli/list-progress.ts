import type { EventEmitter } from 'node:events';
import { SingleBar } from 'cli-progress';
import type { CasClientEvents } from '../cas/client';

/** How long a listing may take before it shows progress. */
export const PROGRESS_DELAY_MS = 1000;

export interface ListProgressOptions {
  /** Where progress goes (stderr); shown only when it is a terminal. */
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** The CAS clients the listing may call: each ListUserCertificateOrder page they fetch is counted. */
  clients: ReadonlyArray<{ events: EventEmitter<CasClientEvents> }>;
  delayMs?: number;
}

/**
 * Runs a listing, and when it takes longer than a second on a terminal shows one line on it,
 * "Listing certificates from CAS… N pages", cleared when done. The total is unknown until
 * every listing's first page is in, so the line counts pages rather than drawing a bar.
 */
export async function withListProgress<T>(options: ListProgressOptions, run: () => Promise<T>): Promise<T> {
  if (!options.stream.isTTY) return run();
  let pages = 0;
  let bar: SingleBar | undefined;
  const text = () =>
    pages === 0 ? 'Listing certificates…' : `Listing certificates from CAS… ${pages} page${pages === 1 ? '' : 's'}`;
  const onCall = (operation: string, outcome: string) => {
    if (operation !== 'ListUserCertificateOrder' || outcome !== 'ok') return;
    pages += 1;
    bar?.update(pages, { text: text() });
  };
  for (const client of options.clients) client.events.on('call', onCall);
  const timer = setTimeout(() => {
    bar = new SingleBar({
      format: '{text}',
      stream: options.stream as NodeJS.WriteStream,
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    });
    bar.start(1, pages, { text: text() });
  }, options.delayMs ?? PROGRESS_DELAY_MS);
  timer.unref();
  try {
    return await run();
  } finally {
    clearTimeout(timer);
    bar?.stop();
    for (const client of options.clients) client.events.off('call', onCall);
  }
}
