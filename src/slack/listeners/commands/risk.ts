import type { App } from '@slack/bolt';
import { fanOut, firstError } from '../../../accounts/fan-out';
import { accountRisk } from '../../../domain/risk';
import { accountFailure, type AccountFailure } from '../../../accounts/account-failure';
import { renderAccountsRisk } from '../../blocks/accounts-risk';
import { renderUsage } from '../../blocks/errors';
import { renderRiskSummary } from '../../blocks/risk';
import { parseCommandArgs, responseType } from '../../command-args';
import { certificatesFor, type SlackDeps, selectedAccounts } from '../../deps';
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
        const source = await certificatesFor(deps, selected);
        const snapshot = await source.snapshot(now);
        // One account (configured or named): the full breakdown.
        if (selected.accounts.length === 1) {
          const { cas } = selected.accounts[0];
          const [risk, assets] = await Promise.all([cas.getRiskCount(), cas.getAssetCount()]);
          const account = selected.named ? selected.accounts[0].name : undefined;
          return {
            ...renderRiskSummary({ risk, assets, now, account, inventory: inventoryCounts(snapshot, now) }),
            response_type: responseType(args),
          };
        }
        // Each account gets ACCOUNT_ANSWER_TIMEOUT_MS: a hanging one is named, not waited for.
        const counts = await fanOut(
          selected.accounts,
          async ({ cas }) => Promise.all([cas.getRiskCount(), cas.getAssetCount()]),
          deps.accountAnswerTimeoutMs ?? Number.POSITIVE_INFINITY,
        );
        const synced = (name: string) =>
          snapshot !== undefined && !(snapshot.unsynced ?? []).includes(name) ? snapshot : undefined;
        const failures: AccountFailure[] = [];
        const accounts = counts.flatMap((answer) => {
          const { name } = answer.account;
          if ('error' in answer) {
            failures.push(accountFailure(name, answer.error));
            return [];
          }
          const [risk, assets] = answer.value;
          const inventory = inventoryCounts(synced(name), now, [name]);
          return [{ ...accountRisk({ account: name, risk, assets, stale: inventory?.counts.stale ?? 0 }), inventory }];
        });
        // Every account failing is a failure of the command, answered with the first one's error.
        if (accounts.length === 0) throw firstError(counts);
        const inventory = inventoryCounts(snapshot, now);
        return {
          ...renderAccountsRisk({ accounts, failures, now, inventory }),
          response_type: responseType(args),
        };
      },
    ),
  );
}
