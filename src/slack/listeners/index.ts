import type { App } from '@slack/bolt';
import { registerAlertActions } from './actions/alert';
import { registerAssignActions } from './actions/assign';
import { registerListActions } from './actions/list';
import { registerAssignCommand } from './commands/assign';
import { registerInfoCommand } from './commands/info';
import { registerListCommand } from './commands/list';
import { registerProbeCommand } from './commands/probe';
import { registerRiskCommand } from './commands/risk';
import { registerStatusCommand } from './commands/status';
import { registerDeploy } from '../deploy/register';
import type { SlackDeps } from '../deps';
import { registerHome } from './events/app-home';

/**
 * Every listener of the app, in one list: the slash commands, the buttons and modals, and the
 * Home tab. A listener decodes what Slack sent, calls one use case and renders its outcome; the
 * features whose parts are not configured (alerts, probing, Home) are left out.
 */
export function registerListeners(app: App, deps: SlackDeps): void {
  registerRiskCommand(app, deps);
  registerStatusCommand(app, deps);
  registerListCommand(app, deps);
  registerAssignCommand(app, deps);
  registerListActions(app, deps);
  registerAssignActions(app, deps);
  registerDeploy(app, deps, deps.deploy);
  const { alertDeps, probeEndpoint, homeView } = deps;
  if (alertDeps) {
    registerAlertActions(app, { ...deps, alertDeps });
    registerInfoCommand(app, { ...deps, infoDeps: alertDeps });
  }
  if (probeEndpoint) registerProbeCommand(app, { ...deps, probeEndpoint });
  if (homeView) registerHome(app, { ...deps, homeView });
}
