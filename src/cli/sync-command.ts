import { SingleBar } from 'cli-progress';
import type { SyncSummary } from '../inventory/sync';
import type { Services } from '../services';
import type { Output } from './output';

/**
 * `cert-bot sync`: one inventory sync now, into the configured store (a running `serve` on the
 * same store sees it at its next request), with a progress bar when stderr is a terminal and
 * a one-line summary.
 */
export async function syncCommand(services: Services, output: Output, interactive: boolean): Promise<SyncSummary> {
  const bar = interactive
    ? new SingleBar({
        format: 'Syncing the inventory [{bar}] {value}/{total} pages',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      })
    : undefined;
  bar?.start(1, 0);
  try {
    const summary = await services.syncNow({
      onProgress: ({ pagesDone, pagesTotal }) => {
        bar?.setTotal(Math.max(1, pagesTotal));
        bar?.update(pagesDone);
      },
    });
    bar?.stop();
    if (output.json) output.out(JSON.stringify(summary, null, 2));
    else output.out(summaryLine(summary));
    return summary;
  } finally {
    bar?.stop();
  }
}

export function summaryLine(s: SyncSummary): string {
  return (
    `Synced ${s.certificates} certificates of ${s.account}: ${s.added} added, ${s.changed} changed, ` +
    `${s.removed} removed; ${s.pages} pages, ${s.calls} calls, ${s.seconds.toFixed(1)} s`
  );
}
