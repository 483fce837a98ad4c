import { describeContract, HOUR, later, T0 } from './backends';

describeContract('alert store contract', ({ store, another }) => {
  test('the first acknowledgement wins, also from another instance; snoozes are kept', async () => {
    const alerts = store().alerts;
    const first = await alerts.acknowledge('default', '42', 'U0ALICE', T0);
    expect(first).toMatchObject({ acknowledgedBy: 'U0ALICE', acknowledgedAt: T0 });
    const other = await another();
    expect(await other.alerts.acknowledge('default', '42', 'U0BOB', later(1000))).toMatchObject({
      acknowledgedBy: 'U0ALICE',
      acknowledgedAt: T0,
    });
    await other.alerts.snooze('default', '42', 'U0BOB', later(HOUR));
    expect(await alerts.state('default', '42')).toMatchObject({
      acknowledgedBy: 'U0ALICE',
      snoozedBy: 'U0BOB',
      snoozedUntil: later(HOUR),
    });
    await alerts.markRenewed('default', '42', '43');
    expect((await alerts.states()).map((s) => [s.certificateId, s.renewedBy])).toEqual([['42', '43']]);
  });

  test('a posted message is found by its channel and ts and by every certificate it announced', async () => {
    const alerts = store().alerts;
    const message = {
      channel: 'C0AAA',
      ts: '1796000000.000100',
      postedAt: T0,
      mention: '<!subteam^S0TEAM>',
      items: [
        { account: 'default', certificateId: '1', threshold: 7 },
        { account: 'default', certificateId: '2', threshold: 0 },
      ],
      omitted: 0,
    };
    await alerts.saveMessage(message);
    await alerts.saveMessage({ ...message, ts: '1796000001.000100', items: [message.items[0]], mention: undefined });
    expect(await alerts.message('C0AAA', message.ts)).toEqual(message);
    expect((await alerts.messagesFor('default', '1')).map((m) => m.ts)).toEqual([message.ts, '1796000001.000100']);
    expect((await alerts.messagesFor('default', '2')).map((m) => m.ts)).toEqual([message.ts]);
    expect(await alerts.messagesFor('default', '3')).toEqual([]);
  });
});
