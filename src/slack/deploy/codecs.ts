import { z } from 'zod';
import { codec } from '../button-codecs';

/**
 * The deployment buttons and modal: what they carry. A request lives in the store; its buttons
 * carry only its ID, the modal only the ID of the draft the bot stored when it opened it.
 */
const nonce = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

/** Deploy renewal… names the old certificate; the plan is read again when the modal opens. */
export const deployOpenValue = z.object({ account: z.string().min(1).max(100), id: z.string().regex(/^\d{1,19}$/) });
export const deployDecisionValue = z.object({ request: nonce });

export type DeployOpenValue = z.infer<typeof deployOpenValue>;
export type DeployDecisionValue = z.infer<typeof deployDecisionValue>;

export const DEPLOY_BUTTONS = {
  open: codec('cert_deploy_open', deployOpenValue),
  approve: codec('cert_deploy_approve', deployDecisionValue),
  reject: codec('cert_deploy_reject', deployDecisionValue),
  rollback: codec('cert_deploy_rollback', deployDecisionValue),
} as const;

/** The request modal's callback_id, and its fields. */
export const DEPLOY_MODAL = {
  callbackId: 'cert_deploy_request',
  resourcesBlock: (index: number) => `resources_${index}`,
  resourcesAction: 'resources',
  noteBlock: 'note',
  noteAction: 'note',
} as const;

export const isDraftId = (text: string): boolean => nonce.safeParse(text).success;
