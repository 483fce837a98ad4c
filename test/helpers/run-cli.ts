import { execFile } from 'node:child_process';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `cert-bot` with exactly the given environment (plus PATH), as an operator would;
 * `input`, when given, is piped to its standard input (otherwise it reads an empty one).
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 20_000,
  input?: string,
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: timeoutMs, cwd: path.dirname(CLI) },
      (error, stdout, stderr) => {
        const code =
          error && typeof (error as { code?: unknown }).code === 'number'
            ? Number((error as { code: number }).code)
            : error
              ? 1
              : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}
