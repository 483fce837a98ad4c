import { CasError } from '../cas/errors';
import { ConfigError } from '../config';
import { UnknownAccountError } from '../domain/account-selection';

/** How a command reports: readable text for people, exact JSON for scripts. */
export interface Output {
  json: boolean;
  out(text: string): void;
  err(text: string): void;
}

export function consoleOutput(json: boolean): Output {
  return {
    json,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

/**
 * One line on stderr for any failure, with what to do about it; never a stack trace, which
 * could carry request details. Returns the process exit code.
 */
export function reportFailure(output: Output, error: unknown): number {
  if (error instanceof ConfigError) {
    output.err(error.message);
    return 2;
  }
  if (error instanceof CasError) {
    const id = error.requestId ? ` (RequestId ${error.requestId})` : '';
    output.err(`error: ${error.message}${id}. ${error.hint}`);
    return 1;
  }
  if (error instanceof UsageError || error instanceof UnknownAccountError) {
    output.err(`error: ${error.message}`);
    return 2;
  }
  output.err(`error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  return 1;
}

/** Bad command-line input: reported with the usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Left-aligned two-column table for terminal output. */
export function table(rows: Array<[string, string | number]>): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}
