import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DigestSnapshot } from '../store/types';
import { renderTrendChart } from './trend-chart';

/**
 * The worker script, built: beside this file when it runs from dist/, else in the package's
 * dist/ (tests run the sources after a build). Undefined when there is no build.
 */
function workerScript(): string | undefined {
  const beside = path.join(__dirname, 'trend-chart-worker.js');
  if (fs.existsSync(beside)) return beside;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  const built = path.join(dir, 'dist', 'src', 'render', 'trend-chart-worker.js');
  return fs.existsSync(built) ? built : undefined;
}

/**
 * renderTrendChart in a worker thread. Loading vega and laying out the chart is a second or two
 * of synchronous work: on the bot's own thread it would hold back every slash command's
 * 3-second acknowledgement meanwhile. Without a built worker it draws in this thread.
 */
export async function renderTrendChartOffThread(snapshots: readonly DigestSnapshot[]): Promise<Buffer | undefined> {
  if (snapshots.length < 2) return undefined;
  const script = workerScript();
  if (!script) return renderTrendChart(snapshots);
  return new Promise<Buffer | undefined>((resolve, reject) => {
    const worker = new Worker(script, { workerData: [...snapshots] });
    let answered = false;
    worker.once('message', (png: Uint8Array | null) => {
      answered = true;
      resolve(png ? Buffer.from(png) : undefined);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the chart worker exited with code ${code} before answering`));
    });
  });
}
