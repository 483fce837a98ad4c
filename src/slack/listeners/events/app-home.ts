import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../../ops/logger';
import { type HomeView, renderHomeError } from '../../blocks/home';
import { BUTTONS } from '../../button-codecs';
import type { SlackDeps } from '../../deps';
import { describeError } from '../../../domain/error-description';
import { buttonListener } from '../../listener';

export type HomeDeps = SlackDeps & { homeView: (userId: string) => Promise<HomeView> };

/** Whether a button was pressed on App Home (its payload carries the Home view, no channel, no response_url). */
export function pressedOnHome(body: { view?: { type?: string } }): boolean {
  return body.view?.type === 'home';
}

/**
 * Builds the user's App Home and publishes it (views.publish: no scope, Tier 4). A dashboard
 * that cannot be built is published as a short error with the Refresh button, so the tab never
 * stays blank or shows an old state as if it were current.
 */
export async function publishHome(
  deps: Pick<HomeDeps, 'homeView' | 'now'>,
  client: WebClient,
  userId: string,
  log: Logger,
): Promise<void> {
  let view: HomeView;
  try {
    view = await deps.homeView(userId);
  } catch (error) {
    log.warn({ err: describeError(error) }, 'App Home could not be built');
    view = renderHomeError(error, deps.now());
  }
  await client.views.publish({ user_id: userId, view });
}

/**
 * App Home: `app_home_opened` (Home tab only, not the Messages tab) publishes the user's
 * dashboard, in HTTP and Socket Mode alike (Bolt acks the event before this runs); Refresh
 * publishes it again. Info and Acknowledge on it are the /cert-info and alert buttons.
 */
export function registerHome(app: App, deps: HomeDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const log = deps.logger.child({ event: 'app_home_opened', user: event.user });
    const started = performance.now();
    const work = async () => {
      let outcome: 'ok' | 'error' = 'ok';
      try {
        await deps.answerGate?.turn();
        await publishHome(deps, client, event.user, log);
      } catch (error) {
        outcome = 'error';
        log.warn({ err: describeError(error) }, 'App Home could not be published');
      } finally {
        deps.observe?.commandAnswered?.('app_home_opened', performance.now() - started, outcome);
      }
    };
    await (deps.inflight ? deps.inflight.track(work()) : work());
  });

  app.action<BlockAction<ButtonAction>>(
    BUTTONS.homeRefresh.actionId,
    buttonListener(
      deps,
      { codec: BUTTONS.homeRefresh, whatFails: 'Could not refresh your dashboard', modalTitle: 'Certificates' },
      async (_value, args, log) => {
        await publishHome(deps, args.client, args.body.user.id, log);
        return undefined;
      },
    ),
  );
}
