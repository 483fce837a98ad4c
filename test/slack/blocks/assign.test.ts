import {
  renderAssignAlreadyDecided,
  renderAssignCancelled,
  renderAssignConfirmation,
  renderAssignDone,
  renderAssignNotYours,
  renderAssignRefused,
  renderAssignUnavailable,
} from '../../../src/slack/blocks/assign';
import { BUTTONS } from '../../../src/slack/button-codecs';
import { allText, buttons, EXPIRES_AT, NONCE } from '../../helpers/block-fixtures';
import { assertWithinBlockKitLimits } from '../../helpers/limits-checker';

const request = { dataSourceId: '33285', count: 5, adminId: 'U123ADMIN' };
const pending = { ...request, nonce: NONCE, expiresAt: EXPIRES_AT };

describe('assign messages', () => {
  it('asks for confirmation with Confirm and Cancel carrying only the nonce', () => {
    const message = renderAssignConfirmation(pending);
    assertWithinBlockKitLimits(message);
    expect(allText(message)).toContain(':warning: *Assign 5 certificates to data source 33285?*');
    expect(allText(message)).toContain('This changes your certificate quota');
    expect(allText(message)).toContain(
      'Requested by <@U123ADMIN> · only they can confirm, until <!date^1741599900^{date_short_pretty} {time}|2025-03-10 09:45 UTC>',
    );
    const [confirm, cancel] = buttons(message);
    expect(confirm).toMatchObject({ text: 'Confirm', action_id: 'cert_assign_confirm', style: 'primary' });
    expect(cancel).toMatchObject({ text: 'Cancel', action_id: 'cert_assign_cancel' });
    expect(cancel.style).toBeUndefined();
    // The request stays on the server: the buttons name it, nothing more.
    expect(JSON.parse(confirm.value ?? '')).toEqual({ nonce: NONCE });
    expect(cancel.value).toBe(confirm.value);
    expect(BUTTONS.assignConfirm.decode(confirm.value)).toEqual({ nonce: NONCE });
    expect(BUTTONS.assignCancel.decode(cancel.value)).toEqual({ nonce: NONCE });
    expect(message.text).toBe(
      'Confirm: assign 5 certificates to data source 33285? This changes your certificate quota.',
    );
  });

  it('reports the result with CertCount, CurrentYearFreeCertCount and RequestId', () => {
    const message = renderAssignDone({
      ...request,
      result: { RequestId: 'REQ-42', CertCount: 5, CurrentYearFreeCertCount: 1234 },
    });
    assertWithinBlockKitLimits(message);
    const text = allText(message);
    expect(text).toContain(':white_check_mark: *Assigned 5 certificates to data source 33285.*');
    expect(text).toContain('*Certificates assigned*\n5');
    expect(text).toContain('*Free certificates this year*\n1,234');
    expect(text).toContain('RequestId `REQ-42`');
    expect(buttons(message)).toEqual([]);
    const sparse = renderAssignDone({ ...request, result: {} });
    expect(allText(sparse)).toContain('*Certificates assigned*\nnot returned');
  });

  it('confirms a cancellation without buttons', () => {
    const message = renderAssignCancelled({ ...request, count: 1 });
    assertWithinBlockKitLimits(message);
    expect(allText(message)).toContain(
      '*Cancelled:* nothing was assigned to data source 33285 (the request was for 1 certificate).',
    );
    expect(buttons(message)).toEqual([]);
  });

  it('refuses non-admins and says who to ask', () => {
    const message = renderAssignRefused({ userId: 'U999' });
    assertWithinBlockKitLimits(message);
    expect(allText(message)).toContain('*only bot admins can assign certificates*');
    expect(allText(message)).toContain('Ask one of the bot admins');
    expect(allText(renderAssignRefused({ userId: 'U999', admins: ['U1', 'U2'] }))).toContain(
      'Ask one of the bot admins: <@U1>, <@U2>.',
    );
  });

  it('tells someone else pressing the buttons that nothing changed', () => {
    const message = renderAssignNotYours();
    assertWithinBlockKitLimits(message);
    expect(allText(message)).toContain('Nothing was changed.');
    expect(allText(renderAssignNotYours({ adminId: 'U123ADMIN' }))).toContain('Only <@U123ADMIN> can confirm');
  });

  it('does not turn a malformed admin id into a mention', () => {
    const message = renderAssignConfirmation({ ...pending, adminId: '<!channel>' });
    expect(allText(message)).toContain('Requested by &lt;!channel&gt;');
  });

  it('shows a data source ID beyond 2^53 with its exact digits', () => {
    const huge = '9007199254740993';
    // As a number it would be rounded to ...992.
    expect(String(Number(huge))).not.toBe(huge);
    const confirmation = renderAssignConfirmation({ ...pending, dataSourceId: huge });
    expect(allText(confirmation)).toContain(`*Assign 5 certificates to data source ${huge}?*`);
    expect(confirmation.text).toContain(`data source ${huge}?`);
    expect(allText(renderAssignDone({ ...request, dataSourceId: huge, result: {} }))).toContain(
      `to data source ${huge}.`,
    );
    expect(allText(renderAssignCancelled({ ...request, dataSourceId: huge }))).toContain(`data source ${huge} (`);
  });

  it('shows "?" for a data source ID that is not digits, never the raw text', () => {
    const message = renderAssignConfirmation({ ...pending, dataSourceId: '12<!channel>' });
    assertWithinBlockKitLimits(message);
    expect(allText(message)).toContain('to data source ?');
    expect(JSON.stringify(message)).not.toContain('<!channel>');
  });

  it('says "unknown time" when the expiry cannot be read', () => {
    const message = renderAssignConfirmation({ ...pending, expiresAt: new Date(Number.NaN) });
    assertWithinBlockKitLimits(message);
    expect(allText(message)).toContain('only they can confirm, until unknown time');
  });

  it('explains why a confirmation cannot be used, changing nothing', () => {
    const expired = renderAssignUnavailable({ reason: 'expired' });
    assertWithinBlockKitLimits(expired);
    expect(allText(expired)).toBe(
      ':warning: This confirmation has expired. Nothing was changed; run `/cert-assign` again.',
    );
    expect(expired.text).toBe('This confirmation has expired. Nothing was changed; run /cert-assign again.');
    expect(buttons(expired)).toEqual([]);

    const unknown = renderAssignUnavailable({ reason: 'unknown' });
    assertWithinBlockKitLimits(unknown);
    expect(allText(unknown)).toContain('This confirmation is unknown to the bot');
    expect(allText(unknown)).toContain('Nothing was changed');

    const invalid = renderAssignUnavailable({ reason: 'invalid', detail: 'count above <b>100,000</b>' });
    assertWithinBlockKitLimits(invalid);
    expect(allText(invalid)).toContain('This request is not allowed: count above &lt;b&gt;100,000&lt;/b&gt;');
    expect(buttons(invalid)).toEqual([]);
  });

  it.each([
    ['cancelled', 'This assignment was cancelled. Nothing more was changed.'],
    ['claimed', 'This assignment is being carried out right now. Nothing more was changed.'],
    ['succeeded', 'This assignment was already carried out. Nothing more was changed.'],
    [
      'failed',
      'This assignment was already tried and failed; run /cert-assign again to retry. Nothing more was changed.',
    ],
  ])('says an assignment already %s was decided', (status, sentence) => {
    const message = renderAssignAlreadyDecided({ status });
    assertWithinBlockKitLimits(message);
    expect(message.text).toBe(sentence);
    expect(allText(message)).toBe(`:lock: ${sentence}`);
    expect(buttons(message)).toEqual([]);
  });

  it('matches the snapshot', () => {
    expect(renderAssignConfirmation(pending)).toMatchSnapshot();
    expect(
      renderAssignDone({ ...request, result: { RequestId: 'REQ-42', CertCount: 5, CurrentYearFreeCertCount: 20 } }),
    ).toMatchSnapshot();
  });
});
