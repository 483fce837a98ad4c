import type { ModalView, PlainTextOption } from '@slack/types';
import type { Certificate } from '../../domain/certificate';
import { certificateNames } from '../../domain/certificate';
import { describeResource } from '../../domain/deployment';
import type { DeploymentPlan, DeploymentTarget } from '../../domain/deployment-plan';
import type { DeploymentProbeSummary, DeploymentRequest } from '../../domain/deployment-request';
import { formatUtc, plural } from '../../render/format';
import { CAS_CONSOLE_URL } from '../../domain/deployment-job';
import { actions, buildMessage, button, context, cutLines, header, section } from '../blocks/builders';
import { EMOJI } from '../blocks/emoji';
import { codeSpan, fitText, inlineText, oneLine, userMention } from '../blocks/escape';
import type { KnownBlock, SlackMessage } from '../blocks/types';
import { DEPLOY_BUTTONS, DEPLOY_MODAL } from './codecs';

/** Slack allows 10 options per checkbox group; a modal 100 blocks. */
const OPTIONS_PER_GROUP = 10;
const MAX_GROUPS = 40;
const MAX_LISTED = 25;
const WAITING = ':hourglass_flowing_sand:';

/** `<!date^…>`: shown in each reader's own time zone, with a UTC fallback. */
export function readerDate(at: Date, format = '{date_short_pretty} {time}'): string {
  const seconds = Math.floor(at.getTime() / 1000);
  return `<!date^${seconds}^${format}|${formatUtc(at)}>`;
}

function namesText(names: readonly string[] | undefined): string {
  if (!names || names.length === 0) return '';
  const shown = names.slice(0, 3).map((n) => inlineText(n, 100));
  return `${shown.join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;
}

function certificateText(id: string, names: readonly string[] | undefined, endDate: string | undefined): string {
  const parts = [codeSpan(id, 30)];
  const shown = namesText(names);
  if (shown) parts.push(`(${shown})`);
  if (endDate) parts.push(`ends ${inlineText(endDate, 25)}`);
  return parts.join(' ');
}

const resourceText = (target: DeploymentTarget) => inlineText(describeResource(target), 200);

/** A modal that opens at once (the trigger is valid for 3 seconds) while the plan is read. */
export function loadingModal(): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Deploy renewal' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [section(`${WAITING} Reading the replacement and the resources from CAS…`)],
  };
}

/** A modal that only says something: no plan, not allowed, off. */
export function messageModal(text: string): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Deploy renewal' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [section(`${EMOJI.warning} ${inlineText(text, 2_500)}`)],
  };
}

function option(target: DeploymentTarget): PlainTextOption {
  const text = fitText(oneLine(describeResource(target)), 75) || target.id;
  const result: PlainTextOption = { text: { type: 'plain_text', text }, value: target.id };
  const detail = [target.listenerId && `listener ${target.listenerId}`, `resource ${target.id}`]
    .filter(Boolean)
    .join(' · ');
  result.description = { type: 'plain_text', text: fitText(detail, 75) };
  return result;
}

/**
 * The request modal: the replacement (ID, names, end date), every resource still on the old
 * certificate as a checkbox, all selected, and a note. `draftId` goes in private_metadata: the
 * plan itself stays on the server.
 */
export function requestModal(input: {
  plan: DeploymentPlan;
  draftId: string;
  changeWindow?: string;
  contactNote?: string;
}): ModalView {
  const { plan } = input;
  const old = plan.old;
  const blocks: KnownBlock[] = [
    section(
      `*Replacement:* ${certificateText(plan.replacement.certificateId ?? plan.replacement.id, certificateNames(plan.replacement), plan.replacement.endDate)}\n*Replaces:* ${certificateText(old.certificateId ?? old.id, certificateNames(old), old.endDate)}`,
    ),
  ];
  const targets = plan.resources.slice(0, OPTIONS_PER_GROUP * MAX_GROUPS);
  for (let start = 0; start < targets.length; start += OPTIONS_PER_GROUP) {
    const group = targets.slice(start, start + OPTIONS_PER_GROUP);
    const options = group.map(option);
    const label =
      targets.length > OPTIONS_PER_GROUP
        ? `Resources ${start + 1}–${start + group.length} of ${targets.length}`
        : `Resources still on the old certificate (${targets.length})`;
    blocks.push({
      type: 'input',
      block_id: DEPLOY_MODAL.resourcesBlock(start / OPTIONS_PER_GROUP),
      optional: true,
      label: { type: 'plain_text', text: label },
      element: {
        type: 'checkboxes',
        action_id: DEPLOY_MODAL.resourcesAction,
        options,
        initial_options: options,
      },
    });
  }
  blocks.push({
    type: 'input',
    block_id: DEPLOY_MODAL.noteBlock,
    optional: true,
    label: { type: 'plain_text', text: 'Note for the approver' },
    element: { type: 'plain_text_input', action_id: DEPLOY_MODAL.noteAction, multiline: true, max_length: 500 },
  });
  const notes: string[] = [];
  if (plan.skipped.length > 0)
    notes.push(
      `Left out: ${plural(plan.skipped.length, 'resource')} on other clouds (deploy there from the CAS console).`,
    );
  if (input.changeWindow) notes.push(input.changeWindow);
  if (input.contactNote) notes.push(input.contactNote);
  notes.push('Submitting posts a request in the channel; another person approves it there.');
  blocks.push(context(notes.map((n) => inlineText(n, 500))));
  return {
    type: 'modal',
    callback_id: DEPLOY_MODAL.callbackId,
    private_metadata: input.draftId,
    title: { type: 'plain_text', text: 'Deploy renewal' },
    submit: { type: 'plain_text', text: 'Request' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** What a request message says about where the request stands. */
function statusLines(request: DeploymentRequest, approvers: readonly string[]): string[] {
  const p = request.progress;
  const job = request.jobId !== undefined ? `Job ${codeSpan(request.jobId, 25)}` : '';
  const by = request.approver ? userMention(request.approver) : '';
  const lines: string[] = [];
  switch (request.state) {
    case 'requested': {
      const who = approvers.length > 0 ? ` by one of ${approvers.map(principal).join(', ')}` : '';
      lines.push(`${WAITING} *Waiting for approval*${who}; expires ${readerDate(request.expiresAt)}.`);
      break;
    }
    case 'rejected':
      lines.push(`:no_entry_sign: *Rejected* by ${by}. Nothing was deployed.`);
      break;
    case 'expired':
      lines.push(
        `:no_entry_sign: *Expired* without approval. Nothing was deployed; request again with \`/cert-deploy ${request.oldCertificateId}\`.`,
      );
      break;
    case 'approved':
    case 'creating':
      lines.push(`${EMOJI.good} *Approved* by ${by}. Creating the deployment job…`);
      break;
    case 'created':
      lines.push(`${EMOJI.good} *Approved* by ${by}. ${job} created; starting it…`);
      break;
    case 'started':
    case 'tracking':
      lines.push(`${EMOJI.good} *Approved* by ${by}. ${job}: ${inlineText(p?.summary || 'starting', 200)}.`);
      // Until the first read after the window opened, the job waits for it.
      if (request.scheduleAt && request.state === 'started')
        lines.push(`Scheduled for ${readerDate(request.scheduleAt)}, the start of the change window.`);
      break;
    case 'succeeded':
      lines.push(
        p?.problem && request.jobId === undefined
          ? `${EMOJI.good} *Approved* by ${by}. ${inlineText(p.problem, 300)}`
          : `${EMOJI.good} *Deployed.* ${job}: ${inlineText(p?.summary ?? '', 200)}. Approved by ${by}.`,
      );
      break;
    case 'failed':
      lines.push(
        p?.problem
          ? `${EMOJI.warning} *Not deployed.* ${inlineText(p.problem, 500)}`
          : `${EMOJI.warning} *Deployment failed* — ${job}: ${inlineText(p?.summary ?? '', 200)}. Approved by ${by}.`,
      );
      break;
    case 'rolling-back':
      lines.push(
        `:leftwards_arrow_with_hook: *Rolling back* (asked by ${userMention(p?.rollbackBy)}) — ${job}: ${inlineText(p?.summary ?? '', 200)}.`,
      );
      break;
    case 'rolled-back':
      lines.push(
        `:leftwards_arrow_with_hook: *Rolled back* (asked by ${userMention(p?.rollbackBy)}) — ${job}: ${inlineText(p?.summary ?? '', 200)}.`,
      );
      break;
  }
  if (p?.contact) lines.push(`CAS notifies ${inlineText(p.contact, 150)} about the job.`);
  if (p?.dropped?.length)
    lines.push(
      `Dropped at approval (no longer on the old certificate): ${p.dropped
        .slice(0, 10)
        .map((d) => inlineText(d, 150))
        .join(', ')}${p.dropped.length > 10 ? ` and ${p.dropped.length - 10} more` : ''}`,
    );
  if (p?.failedWorkers.length) {
    lines.push(`*Failed (${p.failedWorkers.length}):*`);
    const { lines: shown } = cutLines(
      p.failedWorkers.map(
        (w) => `• ${inlineText(w.where, 200)}${w.error ? ` — ${inlineText(w.error, 300)}` : ''} [worker ${w.workerId}]`,
      ),
      { maxLines: 10, maxChars: 1_500 },
    );
    lines.push(...shown);
    if (!p.failedWorkers.some((w) => w.error))
      lines.push(
        `CAS gives no reason per resource: see job ${request.jobId ?? ''} in the <${CAS_CONSOLE_URL}|CAS console> (Deployment).`,
      );
  }
  if (p?.left !== undefined && ['succeeded', 'failed', 'rolled-back'].includes(request.state))
    lines.push(
      p.left.length === 0
        ? `No resource serves ${codeSpan(request.oldCertificateId, 30)} any more.`
        : `Still on ${codeSpan(request.oldCertificateId, 30)}: ${p.left
            .slice(0, 10)
            .map((l) => inlineText(l, 150))
            .join(', ')}${p.left.length > 10 ? ` and ${p.left.length - 10} more` : ''}`,
    );
  if (p?.probed?.length && ['succeeded', 'failed', 'rolled-back'].includes(request.state)) {
    const at = p.probedAt ? new Date(p.probedAt) : undefined;
    lines.push(
      `*What the endpoints serve now*${at && !Number.isNaN(at.getTime()) ? ` (probed ${readerDate(at)})` : ''}:`,
    );
    const { lines: shown } = cutLines(
      p.probed.map((probe) => probeLine(probe, request.newCertificateId)),
      { maxLines: 10, maxChars: 1_500 },
    );
    lines.push(...shown);
  }
  return lines;
}

/**
 * One probed endpoint: "lb.example.com:443 now serves `32900014` ✅" when it serves the new
 * certificate and nothing is wrong with it, else the verdict and what it serves, in a sentence.
 */
function probeLine(probe: DeploymentProbeSummary, newCertificateId: string): string {
  const where = codeSpan(probe.endpoint, 270);
  if (probe.verdict === 'ok' && probe.certificateId === newCertificateId)
    return `• ${where} now serves ${codeSpan(probe.certificateId, 30)} ${EMOJI.good}`;
  if (probe.failed) return `• ${where} could not be probed: ${inlineText(probe.text, 300)} ${EMOJI.warning}`;
  return `• ${where} — *${inlineText(probe.verdict, 30)}*: ${inlineText(probe.text, 300)} ${EMOJI.warning}`;
}

/** `<@U…>` for a user, `<!subteam^S…>` for a user group. */
function principal(id: string): string {
  return id.startsWith('S') ? `<!subteam^${id}>` : userMention(id);
}

/**
 * The request message in the channel: who asks, what goes where, the old certificate's end date,
 * the change window, and while it waits, Approve / Reject. Updated in place as the job moves.
 */
export function requestMessage(
  request: DeploymentRequest,
  context_: { approvers: readonly string[]; changeWindow?: string },
): SlackMessage {
  const f = request.facts ?? {};
  const count = plural(request.resources.length, 'resource');
  const blocks: KnownBlock[] = [header('Deployment request')];
  blocks.push(
    section(
      `${userMention(request.requester)} asks to deploy ${certificateText(request.newCertificateId, f.newNames, f.newEndDate)} to ${count} still on ${certificateText(request.oldCertificateId, f.oldNames, f.oldEndDate)}.`,
    ),
  );
  const { lines } = cutLines(
    request.resources.map(
      (r) => `• ${resourceText(r)}${r.listenerId ? ` (listener ${inlineText(r.listenerId, 60)})` : ''}`,
    ),
    { maxLines: MAX_LISTED, maxChars: 2_800 },
  );
  blocks.push(section(lines.join('\n') || '_(none)_'));
  if (request.note) blocks.push(section(`*Note:* ${inlineText(request.note, 500)}`));
  const facts = [`Account ${inlineText(request.account, 60)}`, `Request ${codeSpan(request.id, 70)}`];
  if (context_.changeWindow) facts.push(inlineText(context_.changeWindow, 300));
  blocks.push(context(facts));
  blocks.push(section(statusLines(request, context_.approvers).join('\n')));
  const p = request.progress;
  if (request.state === 'requested') {
    const value = DEPLOY_BUTTONS.approve.encode({ request: request.id });
    blocks.push(
      actions([
        button({ text: 'Approve', actionId: DEPLOY_BUTTONS.approve.actionId, value, style: 'primary' }),
        button({ text: 'Reject', actionId: DEPLOY_BUTTONS.reject.actionId, value, style: 'danger' }),
      ]),
    );
  }
  if (
    (request.state === 'succeeded' || request.state === 'failed') &&
    request.jobId !== undefined &&
    (p?.deployed ?? 0) > 0
  ) {
    const where = request.resources.map((r) => describeResource(r));
    const listed = `${where.slice(0, 8).join(', ')}${where.length > 8 ? ` and ${where.length - 8} more` : ''}`;
    blocks.push(
      actions([
        {
          ...button({
            text: 'Roll back',
            actionId: DEPLOY_BUTTONS.rollback.actionId,
            value: DEPLOY_BUTTONS.rollback.encode({ request: request.id }),
            style: 'danger',
          }),
          confirm: {
            title: { type: 'plain_text', text: 'Roll back?' },
            text: {
              type: 'plain_text',
              text: fitText(
                `Puts certificate ${request.oldCertificateId} back on what job ${request.jobId} deployed to: ${listed}.`,
                300,
              ),
            },
            confirm: { type: 'plain_text', text: 'Roll back' },
            deny: { type: 'plain_text', text: 'Cancel' },
            style: 'danger',
          },
        },
      ]),
    );
  }
  const text = `Deployment request ${request.id}: ${request.newCertificateId} to ${count} on ${request.oldCertificateId} — ${request.state}${request.progress?.summary ? `, ${request.progress.summary}` : ''}`;
  return buildMessage(text, blocks);
}

/** A short ephemeral answer. */
export function deployAnswer(text: string, emoji: string = EMOJI.warning): SlackMessage {
  return buildMessage(text, [section(`${emoji} ${inlineText(text, 2_500)}`)]);
}

/** The facts a request keeps of its certificates. */
export function certificateFacts(old: Certificate, replacement: Certificate): NonNullable<DeploymentRequest['facts']> {
  return {
    oldNames: certificateNames(old),
    oldEndDate: old.endDate,
    newNames: certificateNames(replacement),
    newEndDate: replacement.endDate,
  };
}

/** The Deploy renewal… button of a certificate with a stale deployment, or undefined when its ID cannot go in one. */
export function deployButtonBlock(certificate: {
  account: string;
  id: string;
  certificateId?: string;
}): KnownBlock | undefined {
  const id = certificate.certificateId ?? certificate.id;
  if (!/^\d{1,19}$/.test(id)) return undefined;
  return actions([
    button({
      text: 'Deploy renewal…',
      actionId: DEPLOY_BUTTONS.open.actionId,
      value: DEPLOY_BUTTONS.open.encode({ account: certificate.account, id }),
      style: 'primary',
    }),
  ]);
}

/** A message with the Deploy renewal… button added at its end (within Slack's 50 blocks). */
export function withDeployButton<M extends SlackMessage>(
  message: M,
  certificate: { account: string; id: string; certificateId?: string },
): M {
  const block = deployButtonBlock(certificate);
  if (!block || message.blocks.length >= 50) return message;
  return { ...message, blocks: [...message.blocks, block] };
}
