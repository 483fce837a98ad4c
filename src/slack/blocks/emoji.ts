import type { CertificateState } from '../../domain/certificate-state';
import type { Urgency } from '../../domain/expiry';

/** One emoji per meaning, the same in every command. */
export const EMOJI = {
  expired: ':red_circle:',
  expiring: ':large_orange_circle:',
  valid: ':large_green_circle:',
  notDeployed: ':white_circle:',
  failedReview: ':x:',
  notHosted: ':package:',
  noAlerts: ':no_bell:',
  unmonitored: ':globe_with_meridians:',
  good: ':white_check_mark:',
  allClear: ':white_check_mark:',
  revoked: ':no_entry:',
  unknown: ':grey_question:',
  warning: ':warning:',
  cancelled: ':leftwards_arrow_with_hook:',
  locked: ':lock:',
} as const;

export const URGENCY_EMOJI: Record<Urgency, string> = {
  expired: EMOJI.expired,
  expiring: EMOJI.expiring,
  valid: EMOJI.valid,
  unknown: EMOJI.unknown,
};

/** One emoji per certificate state (see domain/certificate-state), on every surface. */
export const STATE_EMOJI: Record<CertificateState, string> = {
  stale: EMOJI.warning,
  expired: EMOJI.expired,
  expiring: EMOJI.expiring,
  renewed: EMOJI.good,
  'not-deployed': EMOJI.notDeployed,
  valid: EMOJI.valid,
};
