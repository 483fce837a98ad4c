import type { Command } from 'commander';
import type { Services } from '../services';
import { type CliContext, withServices } from './context';
import { type Output, UsageError } from './output';

export function registerHomeCommand(program: Command, context: CliContext): void {
  program
    .command('home')
    .description("One user's App Home dashboard as Slack shows it (scores, what is at risk, their acknowledgements)")
    .requiredOption('--user <id>', 'the Slack user ID (U… or W…) whose Home tab to build')
    .option('--json', 'the Home view as JSON (what views.publish gets)')
    .action(async (options: { user: string; json?: boolean }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        await homeCommand(services, options, output);
      });
    });
}

/** `cert-bot home --user <id>`: the user's App Home as the terminal shows it, or the view as JSON. */
export async function homeCommand(
  services: Services,
  options: { user: string; json?: boolean },
  output: Output,
): Promise<void> {
  if (!/^[UW][A-Z0-9]{2,}$/.test(options.user))
    throw new UsageError(`"${options.user.slice(0, 40)}" is not a Slack user ID (U… or W…, capitals and digits)`);
  const view = await services.homeView(options.user);
  if (options.json) output.out(JSON.stringify(view, null, 2));
  else {
    const { renderForTerminal } = await import('../render/terminal');
    const message = { text: 'App Home', blocks: view.blocks };
    output.out(renderForTerminal(message, { color: process.stdout.isTTY }));
  }
}
