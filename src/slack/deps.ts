import type { AlertDeps } from '../alerts/run';
import type { CasApi } from '../cas/types';
import type { CertificateSource } from '../inventory/certificate-source';
import type { Inflight } from '../ops/inflight';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/types';
import type { AnswerGate } from './answer-gate';
import type { SlackMessage } from './blocks/types';

/** Everything a Slack listener needs, passed in so tests build the real app with fakes at the edges. */
export interface SlackDeps {
  cas: CasApi;
  certificates: CertificateSource;
  store: Pick<Store, 'audit' | 'claims' | 'confirmations'>;
  logger: Logger;
  now: () => Date;
  adminUserIds: readonly string[];
  /** Names this process in claims (host and pid). */
  instanceId: string;
  /** What the alert buttons act on; without it the alert buttons are not registered. */
  alertDeps?: () => Promise<AlertDeps>;
  /** This period's digest as it would be posted, for `/cert-risk digest`; records nothing. */
  digestPreview?: () => Promise<SlackMessage>;
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
