import { unreachableServices } from './services-check';

/**
 * Before any test file: the replica and store tests need Redis and PostgreSQL. When one is not
 * there, the run stops with one line naming it and how to start it, instead of failing dozens of
 * tests one by one.
 */
export default async function globalSetup(): Promise<void> {
  const problems = await unreachableServices();
  if (problems.length === 0) return;
  process.stderr.write(problems.map((line) => `\n${line}\n`).join(''));
  process.exit(1);
}
