import {
  renderAssignCancelled,
  renderAssignConfirmation,
  renderAssignDone,
  renderAssignNotYours,
  renderAssignRefused,
} from '../../src/slack/blocks/assign';
import { allText, buttons } from './fixtures';
import { assertWithinBlockKitLimits } from './limits-checker';

const request = { dataSourceId: 33285, count: 5, adminId: 'U123ADMIN' };

describe('assign messages', () => {
  it('asks for confirmation with Confirm and Cancel carrying the request', () => {
    const message = renderAssignConfirmation(request);
    assertWithinBlockKitLimits(message);
    expect(allText(message)).toContain(':warning: *Assign 5 certificates to data source 33285?*');
    expect(allText(message)).toContain('This changes your certificate quota');
    expect(allText(message)).toContain('Requested by <@U123ADMIN>');
    const [confirm, cancel] = buttons(message);
    expect(confirm).toMatchObject({ text: 'Confirm', action_id: 'cert_assign_confirm', style: 'primary' });
    expect(cancel).toMatchObject({ text: 'Cancel', action_id: 'cert_assign_cancel' });
    expect(cancel.style).toBeUndefined();
    expect(JSON.parse(confirm.value ?? '')).toEqual({ id: 33285, count: 5, admin: 'U123ADMIN' });
    expect(cancel.value).toBe(confirm.value);
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
    const message = renderAssignConfirmation({ ...request, adminId: '<!channel>' });
    expect(allText(message)).toContain('Requested by &lt;!channel&gt;');
  });

  it('matches the snapshot', () => {
    expect(renderAssignConfirmation(request)).toMatchSnapshot();
    expect(
      renderAssignDone({ ...request, result: { RequestId: 'REQ-42', CertCount: 5, CurrentYearFreeCertCount: 20 } }),
    ).toMatchSnapshot();
  });
});
