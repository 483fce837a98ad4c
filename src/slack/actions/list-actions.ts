import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { isCertificateView } from '../../cas/certificate-views';
import { renderCasError } from '../blocks/errors';
import { type CertificatePages, renderCertificatePage } from '../certificate-pages';
import { describeError, safeRespond, tracked } from '../commands/run-command';
import type { SlackDeps } from '../deps';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

interface ListTarget {
  status: string;
  keyword?: string;
  page?: number;
}

function parseTarget(value: string | undefined): ListTarget | undefined {
  try {
    const parsed = JSON.parse(value ?? '') as ListTarget;
    return typeof parsed.status === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Previous/Next replace the message they sit on; "List expiring certificates" (on the risk
 * summary and the digest) answers with a new message so the summary stays visible.
 */
export function registerListActions(app: App, deps: SlackDeps, pages: CertificatePages): void {
  const handler =
    (replaceOriginal: boolean) =>
    async ({ ack, action, respond, body }: ButtonArgs): Promise<void> => {
      await ack();
      const log = deps.logger.child({ action: action.action_id, user: body.user.id });
      const target = parseTarget(action.value);
      if (!target || !isCertificateView(target.status)) {
        log.warn('list button with an unreadable value');
        return;
      }
      const view = target.status;
      await tracked(deps, async () => {
        try {
          const page = await pages(view, target.keyword, target.page ?? 0);
          await respond({
            ...renderCertificatePage(page, deps.now()),
            replace_original: replaceOriginal,
            response_type: 'ephemeral',
          });
        } catch (error) {
          log.warn({ err: describeError(error) }, 'list button failed');
          await safeRespond(
            respond,
            {
              ...renderCasError(error, 'Could not list certificates'),
              replace_original: false,
              response_type: 'ephemeral',
            },
            log,
          );
        }
      });
    };
  app.action<BlockAction<ButtonAction>>('cert_list_prev', handler(true));
  app.action<BlockAction<ButtonAction>>('cert_list_next', handler(true));
  app.action<BlockAction<ButtonAction>>('cert_list_open', handler(false));
}
