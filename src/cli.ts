#!/usr/bin/env node
import dotenv from 'dotenv';
import { buildProgram, type CliContext } from './cli/program';

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
