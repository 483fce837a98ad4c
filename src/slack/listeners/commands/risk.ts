import type { App } from '@slack/bolt';
import { riskByAccount } from '../../../risk/by-account';
import { renderAccountsRisk } from '../../blocks/accounts-risk';
import { renderUsage } from '../../blocks/errors';
import { renderRiskSummary } from '../../blocks/risk';
import { parseCommandArgs, responseType } from '../../command-args';
import { type SlackDeps, selectedAccounts } from '../../deps';
import { statusOf } from '../../../inventory/inventory-reader';
import { inventoryCounts } from '../../../render/inventory-counts';
import { commandListener } from '../../listener';

export function registerRiskCommand(app: App, deps: SlackDeps): void {
  app.command(
    '/cert-risk',
    commandListener(
      deps,
      { name: '/cert-risk', whatFails: 'Could not load the certificate risk summary' },
      async ({ command }) => {
        const args = parseCommandArgs(command.text);
        const [first, ...rest] = args.words.map((w) => w.toLowerCase());
        if (args.help) return { ...renderUsage('/cert-risk'), response_type: 'ephemeral' };
        const selected = selectedAccounts(deps, args.account);
        if ('answer' in selected) return selected.answer;
        if (first === 'digest' && rest.length === 0 && deps.digestPreview)
          return {
            ...(await deps.digestPreview(selected.named ? selected.accounts[0].name : undefined)),
            response_type: responseType(args),
          };
        if (first !== undefined)
          return {
            ...renderUsage('/cert-risk', `"${args.words[0].slice(0, 100)}" is not an option of /cert-risk.`),
            response_type: 'ephemeral',
          };
        const now = deps.now();
        // The bot's own counts: the stored inventory of the accounts asked about, at this moment.
        const names = selected.accounts.map((a) => a.name);
        const [whole, counts] = await Promise.all([deps.inventory.status(now), deps.inventory.counts(names, now)]);
        const status = statusOf(whole, names);
        // One account (configured or named): the full breakdown.
        if (selected.accounts.length === 1) {
          const { cas } = selected.accounts[0];
          const [risk, assets] = await Promise.all([cas.getRiskCount(), cas.getAssetCount()]);
          const account = selected.named ? selected.accounts[0].name : undefined;
          return {
            ...renderRiskSummary({ risk, assets, now, account, inventory: inventoryCounts(status, counts) }),
            response_type: responseType(args),
          };
        }
        const synced = (name: string) =>
          status !== undefined && !(status.unsynced ?? []).includes(name) ? status : undefined;
        // Each account waits ACCOUNT_ANSWER_TIMEOUT_MS at most: a hanging one is named, not waited for.
        const { answered, failures } = await riskByAccount(
          selected.accounts,
          async (name) => inventoryCounts(synced(name), counts, [name]),
          deps.accountAnswerTimeoutMs,
        );
        const accounts = answered.map((a) => ({ ...a.summary, inventory: a.inventory }));
        const inventory = inventoryCounts(status, counts);
        return {
          ...renderAccountsRisk({ accounts, failures, now, inventory }),
          response_type: responseType(args),
        };
      },
    ),
  );
}
