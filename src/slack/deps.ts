import type { AlertDeps } from '../alerts/run';
import type { CasApi } from '../cas/types';
import type { Endpoint } from '../domain/endpoints';
import type { EndpointVerdict } from '../domain/probe-verdict';
import type { MergedSource } from '../inventory/merged-source';
import type { InventoryReader } from '../inventory/inventory-reader';
import type { Inflight } from '../ops/inflight';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/types';
import type { AnswerGate } from './answer-gate';
import type { SlackDeployDeps } from './deploy/register';
import { selectAccounts, unknownAccountText } from '../domain/account-selection';
import { buildMessage, section } from './blocks/builders';
import { EMOJI } from './blocks/emoji';
import type { HomeView } from './blocks/home';
import { inlineText } from './blocks/escape';
import type { SlackMessage } from './blocks/types';

/** Everything a Slack listener needs, passed in so tests build the real app with fakes at the edges. */
/** One configured CAS account as the listeners use it. */
export interface SlackAccount {
  name: string;
  cas: CasApi;
}

export interface SlackDeps {
  /** Every configured account, in order; commands cover all of them unless one is named. */
  accounts: readonly SlackAccount[];
  /** Every account's certificates, and their stored inventory. */
  certificates: MergedSource;
  /** The certificates of the named accounts only (`account:NAME`). */
  certificatesOf(accounts: readonly string[]): Promise<MergedSource>;
  /** What answers read of the stored inventory (status, a page of a selection, counts). */
  inventory: InventoryReader;
  store: Pick<Store, 'audit' | 'claims' | 'confirmations'>;
  logger: Logger;
  now: () => Date;
  adminUserIds: readonly string[];
  /** ACCOUNT_ANSWER_TIMEOUT_MS: how long an answer covering several accounts waits for any one. */
  accountAnswerTimeoutMs?: number;
  /** Names this process in claims (host and pid). */
  instanceId: string;
  /** What the alert buttons act on; without it the alert buttons are not registered. */
  alertDeps?: () => Promise<AlertDeps>;
  /** This period's digest as it would be posted, for `/cert-risk digest`; records nothing. */
  digestPreview?: (account?: string) => Promise<SlackMessage>;
  /** What one endpoint serves now, judged against CAS (/cert-probe); without it the command is not served. */
  probeEndpoint?: (endpoint: Endpoint) => Promise<EndpointVerdict>;
  /** The last probe pass's verdicts (/cert-list drift), and whether probing is on. */
  probeResults?: () => Promise<{ verdicts: EndpointVerdict[]; probing: boolean }>;
  /** One user's App Home; without it the Home tab is not served. */
  homeView?: (userId: string) => Promise<HomeView>;
  /** Deployments from Slack (DEPLOY_ENABLED=true); without it /cert-deploy says they are off. */
  deploy?: SlackDeployDeps;
  /** Lets acknowledgements go before answer work under load; optional (answers then run at once). */
  answerGate?: AnswerGate;
  /** Tracks answers in progress so a shutdown can wait for them; optional. */
  inflight?: Inflight;
  /** Observers for metrics; optional. */
  observe?: {
    commandAcked?(command: string, ms: number): void;
    commandAnswered?(command: string, ms: number, outcome: 'ok' | 'error'): void;
    alertAction?(action: 'acknowledge' | 'snooze'): void;
  };
}

/**
 * The accounts a command covers: every one, or the one an `account:NAME` word names; an unknown
 * name is answered (ephemeral) with the names there are.
 */
export function selectedAccounts(
  deps: Pick<SlackDeps, 'accounts'>,
  name: string | undefined,
): { accounts: SlackAccount[]; named: boolean } | { answer: SlackMessage & { response_type: 'ephemeral' } } {
  const selection = selectAccounts(
    deps.accounts.map((a) => a.name),
    name,
  );
  if ('unknown' in selection) {
    const text = unknownAccountText(selection);
    return {
      answer: {
        ...buildMessage(text, [section(`${EMOJI.warning} ${inlineText(text, 2_000)}`)]),
        response_type: 'ephemeral',
      },
    };
  }
  return {
    accounts: selection.accounts.map((n) => deps.accounts.find((a) => a.name === n) as SlackAccount),
    named: selection.named,
  };
}

/** The certificates of the accounts a command covers. */
export async function certificatesFor(
  deps: Pick<SlackDeps, 'certificates' | 'certificatesOf'>,
  selected: { accounts: readonly SlackAccount[]; named: boolean },
): Promise<MergedSource> {
  return selected.named ? deps.certificatesOf(selected.accounts.map((a) => a.name)) : deps.certificates;
}
