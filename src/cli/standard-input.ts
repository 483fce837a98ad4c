import { UsageError } from './output';

/**
 * Everything on standard input, for `-` in place of arguments (`cert-bot status - < serials.txt`).
 * A terminal is refused rather than waited on: `-` means "the serials are piped in".
 */
export async function readStandardInput(what: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (input.isTTY)
    throw new UsageError(`${what}: "-" reads from standard input; pipe it in, e.g. ${what} - < serials.txt`);
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
