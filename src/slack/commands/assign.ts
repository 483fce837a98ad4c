import type { App } from '@slack/bolt';
import { renderAssignConfirmation, renderAssignRefused } from '../blocks/assign';
import { renderUsage } from '../blocks/errors';
import { parseCommandArgs } from '../command-args';
import type { SlackDeps } from '../deps';
import { commandHandler } from './run-command';

/** Upper bound on one assignment, so a typo (an extra zero or two) is caught before the confirmation. */
export const MAX_ASSIGN_COUNT = 100_000;

export type AssignRequest = { dataSourceId: number; count: number };

export function parseAssignArgs(words: string[]): AssignRequest | string {
  if (words.length !== 2) return 'Give exactly two numbers: the data source ID and the certificate count.';
  const [idText, countText] = words;
  if (!/^\d{1,18}$/.test(idText) || Number(idText) <= 0)
    return `"${idText.slice(0, 40)}" is not a data source ID (a positive whole number, e.g. 33285).`;
  if (!/^\d{1,9}$/.test(countText) || Number(countText) <= 0 || Number(countText) > MAX_ASSIGN_COUNT)
    return `"${countText.slice(0, 40)}" is not a certificate count (a whole number from 1 to ${MAX_ASSIGN_COUNT}).`;
  return { dataSourceId: Number(idText), count: Number(countText) };
}

export function registerAssignCommand(app: App, deps: SlackDeps): void {
  app.command(
    '/cert-assign',
    commandHandler(deps, '/cert-assign', 'Could not assign certificates', async ({ command }) => {
      const args = parseCommandArgs(command.text);
      const audit = { userId: command.user_id, teamId: command.team_id, channelId: command.channel_id };
      if (!deps.adminUserIds.includes(command.user_id)) {
        await deps.store.recordAudit({
          ...audit,
          at: deps.now(),
          action: 'cert-assign',
          outcome: 'refused',
          details: { text: command.text.slice(0, 200) },
        });
        return { ...renderAssignRefused({ userId: command.user_id }), response_type: 'ephemeral' };
      }
      if (args.help) return { ...renderUsage('/cert-assign'), response_type: 'ephemeral' };
      const parsed = parseAssignArgs(args.words);
      if (typeof parsed === 'string') return { ...renderUsage('/cert-assign', parsed), response_type: 'ephemeral' };
      await deps.store.recordAudit({
        ...audit,
        at: deps.now(),
        action: 'cert-assign',
        outcome: 'requested',
        details: { dataSourceId: parsed.dataSourceId, count: parsed.count },
      });
      return {
        ...renderAssignConfirmation({
          dataSourceId: parsed.dataSourceId,
          count: parsed.count,
          adminId: command.user_id,
        }),
        response_type: 'ephemeral',
      };
    }),
  );
}
