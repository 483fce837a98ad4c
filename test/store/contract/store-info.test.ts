import { describeContract, HOUR, later, T0 } from './backends';

describeContract('store info contract', ({ store, another }) => {
  test('a new store has no creation time until the bot records one, and the first recorded time stands', async () => {
    expect(await store().info.createdAt()).toBeUndefined();
    expect(await store().info.recordCreation(T0)).toEqual(T0);
    // Another replica opening the same store later keeps the first time.
    const other = await another();
    expect(await other.info.recordCreation(later(HOUR))).toEqual(T0);
    expect(await store().info.createdAt()).toEqual(T0);
  });
});
