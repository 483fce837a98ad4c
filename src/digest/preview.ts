import type { CasApi } from '../cas/types';
import { digestRenderer } from '../slack/blocks/digest';
import type { SlackMessage } from '../slack/blocks/types';
import type { Store } from '../store/types';
import { collectDigest } from './collect';
import { periodAt, type Schedule } from './period';

/** This period's digest as it would be posted, for `/cert-risk digest`; records nothing. */
export function digestPreview(cas: CasApi, store: Store, schedule: Schedule, now: () => Date) {
  return async (): Promise<SlackMessage> =>
    digestRenderer.digest(await collectDigest(cas, store, periodAt(schedule, now()), now()));
}
