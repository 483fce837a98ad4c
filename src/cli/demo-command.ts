import type { Command } from 'commander';
import { type CliContext, withOutput } from './context';

/**
 * `cert-bot demo`: the demo (src/demo) against a local simulator, loaded only when it runs, as
 * the simulator is a large part of the CLI's start-up time.
 */
export function registerDemoCommand(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description('Show what the bot answers in Slack, against a local CAS simulator; needs no configuration')
    .action(async () => {
      await withOutput(context, false, async (output) => {
        const { runDemo } = await import('../demo/run-demo');
        await runDemo({
          out: output.out,
          color: Boolean(process.stdout.isTTY),
          width: Math.min(process.stdout.columns ?? 100, 100),
        });
      });
    });
}
