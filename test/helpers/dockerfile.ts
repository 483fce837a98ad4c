import fs from 'node:fs';
import path from 'node:path';
import ignore from '@balena/dockerignore';

/** One instruction of a Dockerfile, continuation lines joined, with the stage it belongs to. */
export interface Instruction {
  stage: number;
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions in order; comments and blank lines left out. */
export function dockerfileInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = -1;
  const lines = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n');
  for (const raw of lines) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(raw);
    if (!match) continue;
    const keyword = match[1].toUpperCase();
    if (keyword === 'FROM') stage += 1;
    instructions.push({ stage, keyword, args: match[2].trim() });
  }
  return instructions;
}

export const ROOT = path.resolve(__dirname, '..', '..');
export const DOCKERFILE = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
export const INSTRUCTIONS = dockerfileInstructions(DOCKERFILE);
export const RUNTIME_STAGE = Math.max(...INSTRUCTIONS.map((i) => i.stage));

/** The runtime stage's ENV names and values (`ENV A=1 B=2` form). */
export function runtimeEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of INSTRUCTIONS.filter((i) => i.stage === RUNTIME_STAGE && i.keyword === 'ENV')) {
    for (const [, name, value] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S+)/g)) env[name] = value;
  }
  return env;
}

/** The runtime stage's single instruction of a kind (USER, HEALTHCHECK, ENTRYPOINT, EXPOSE, …). */
export function runtimeInstruction(keyword: string): string | undefined {
  const found = INSTRUCTIONS.filter((i) => i.stage === RUNTIME_STAGE && i.keyword === keyword);
  return found.at(-1)?.args;
}

/** The HEALTHCHECK's command in exec form, e.g. ["bash", "-c", "…"]. */
export function healthcheckCommand(): string[] {
  const args = runtimeInstruction('HEALTHCHECK') ?? '';
  const match = /\bCMD\s+(\[.*\])\s*$/.exec(args);
  if (!match) throw new Error('the HEALTHCHECK is not in exec form (CMD ["…"])');
  return JSON.parse(match[1]) as string[];
}

/** The build context's filter as Docker applies it: .dockerignore read by Docker's own rules. */
export function dockerignore(): ReturnType<typeof ignore> {
  const patterns = fs
    .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return ignore().add(patterns);
}
