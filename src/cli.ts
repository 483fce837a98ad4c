#!/usr/bin/env node
import v8 from 'node:v8';
import dotenv from 'dotenv';
import { buildProgram, type CliContext } from './cli/program';

// The bot waits on CAS (CAS_QPS calls a second) and Slack far more than it computes, so its
// heap should favour size over speed: a sync of 100,000 certificates keeps ~60 MB live but
// allocates ~1.5 GB in passing (a page's response, its checks, its rows), and V8's default growth
// let the heap reach 4x the live set before collecting (peak RSS 235-250 MB; 134-150 MB with this,
// and no slower: see docs/performance.md). Set here, before anything is allocated.
v8.setFlagsFromString('--optimize-for-size');

// A .env file beside the process fills in what the environment leaves unset.
dotenv.config({ quiet: true });

// `cert-bot list | head`: the reader went away, which is not a failure of the command.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

async function main(): Promise<void> {
  const context: CliContext = { env: process.env, now: () => new Date(), exitCode: 0 };
  await buildProgram(context).parseAsync(process.argv);
  process.exitCode = context.exitCode;
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
  process.exitCode = 1;
});
