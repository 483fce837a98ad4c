import { ASSIGN_CONFIRMATION_KIND } from '../../../assign/decide';
import crypto from 'node:crypto';
import type { App } from '@slack/bolt';
import { ASSIGN_CONFIRMATION_TTL_MS, parseAssignment } from '../../../domain/assignment';
import { renderAssignConfirmation, renderAssignRefused } from '../../blocks/assign';
import { renderAuditLog, SLACK_AUDIT_ENTRIES } from '../../blocks/audit';
import { renderUsage } from '../../blocks/errors';
import { parseCommandArgs } from '../../command-args';
import { type SlackDeps, selectedAccounts } from '../../deps';
import { commandListener } from '../../listener';

/**
 * /cert-assign asks before it changes anything: the request is stored on the server under a
 * random nonce, and the Confirm button carries only that nonce. `/cert-assign audit` shows an
 * admin the latest entries of the audit log.
 */
export function registerAssignCommand(app: App, deps: SlackDeps): void {
  app.command(
    '/cert-assign',
    commandListener(deps, { name: '/cert-assign', whatFails: 'Could not assign certificates' }, async ({ command }) => {
      const args = parseCommandArgs(command.text);
      const audit = { userId: command.user_id, teamId: command.team_id, channelId: command.channel_id };
      if (!deps.adminUserIds.includes(command.user_id)) {
        await deps.store.audit.record({
          ...audit,
          at: deps.now(),
          action: 'cert-assign',
          outcome: 'refused',
          details: { text: command.text.slice(0, 200) },
        });
        return { ...renderAssignRefused({ userId: command.user_id }), response_type: 'ephemeral' };
      }
      if (args.help) return { ...renderUsage('/cert-assign'), response_type: 'ephemeral' };
      // Before the account and the assignment are looked at: reading the log names no account.
      if (args.words[0]?.toLowerCase() === 'audit') {
        if (args.words.length > 1)
          return {
            ...renderUsage('/cert-assign', '`audit` takes nothing more: it shows the latest entries.'),
            response_type: 'ephemeral',
          };
        const entries = await deps.store.audit.list(SLACK_AUDIT_ENTRIES);
        return { ...renderAuditLog(entries, { limit: SLACK_AUDIT_ENTRIES }), response_type: 'ephemeral' };
      }
      const selected = selectedAccounts(deps, args.account);
      if ('answer' in selected) return selected.answer;
      // A write must never guess which account's quota it changes.
      if (deps.accounts.length > 1 && !selected.named)
        return {
          ...renderUsage(
            '/cert-assign',
            `Name the account whose quota changes: add account:NAME (one of ${deps.accounts.map((a) => a.name).join(', ')}).`,
          ),
          response_type: 'ephemeral',
        };
      const account = selected.accounts[0].name;
      const parsed = parseAssignment(args.words);
      if (typeof parsed === 'string') return { ...renderUsage('/cert-assign', parsed), response_type: 'ephemeral' };
      const now = deps.now();
      const nonce = crypto.randomBytes(18).toString('base64url');
      const expiresAt = new Date(now.getTime() + ASSIGN_CONFIRMATION_TTL_MS);
      await deps.store.confirmations.save({
        nonce,
        kind: ASSIGN_CONFIRMATION_KIND,
        requester: command.user_id,
        payload: { dataSourceId: parsed.dataSourceId, count: parsed.count, account },
        createdAt: now,
        expiresAt,
      });
      await deps.store.audit.record({
        ...audit,
        at: now,
        action: 'cert-assign',
        outcome: 'requested',
        details: { dataSourceId: parsed.dataSourceId, count: parsed.count, account },
      });
      return {
        ...renderAssignConfirmation({ ...parsed, account, adminId: command.user_id, nonce, expiresAt }),
        response_type: 'ephemeral',
      };
    }),
  );
}
