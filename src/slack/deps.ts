import type { CasApi } from '../cas/types';
import type { Inflight } from '../ops/inflight';
import type { AnswerGate } from './answer-gate';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/types';

/** Everything a Slack handler needs, passed in so tests build the real app with fakes at the edges. */
export interface SlackDeps {
  cas: CasApi;
  store: Store;
  logger: Logger;
  now: () => Date;
  adminUserIds: readonly string[];
  /** Lets acknowledgements go before answer work under load; optional (answers then run at once). */
  answerGate?: AnswerGate;
  /** Tracks answers in progress so a shutdown can wait for them; optional. */
  inflight?: Inflight;
  /** Observers for metrics; optional. */
  observe?: {
    commandAcked?(command: string, ms: number): void;
    commandAnswered?(command: string, ms: number, outcome: 'ok' | 'error'): void;
  };
}
