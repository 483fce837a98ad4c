import { parentPort, workerData } from 'node:worker_threads';
import type { DigestSnapshot } from '../store/types';
import { renderTrendChart } from './trend-chart';

// Runs in a worker thread (see chart-thread.ts): draws one chart and answers its PNG bytes.
void renderTrendChart(workerData as DigestSnapshot[]).then(
  (png) => parentPort?.postMessage(png ?? null),
  (error: unknown) => {
    throw error;
  },
);
