import Bottleneck from 'bottleneck';
import {
  type BottleneckClassLike,
  BottleneckCompatError,
  checkBottleneckCompat,
  PINNED_BOTTLENECK_VERSION,
} from '../../src/cas/bottleneck-compat';
import { connectRedisLimiter } from '../../src/cas/redis-limiter';
import pkg from '../../package.json';

/** A Bottleneck class as a future release might shape it: the given members on each prototype. */
function fakeBottleneck(members: { limiter: string[]; connection: string[] }, version = '3.0.0'): BottleneckClassLike {
  const methods = (names: string[]) => Object.fromEntries(names.map((name) => [name, () => undefined]));
  return {
    version,
    prototype: methods(members.limiter),
    IORedisConnection: { prototype: methods(members.connection) },
  } as BottleneckClassLike;
}

function thrown(run: () => void): BottleneckCompatError {
  try {
    run();
  } catch (error) {
    if (error instanceof BottleneckCompatError) return error;
    throw error;
  }
  throw new Error('expected the check to fail');
}

test('the installed Bottleneck is the pinned one and has every internal the shared limiter patches', () => {
  expect(pkg.dependencies.bottleneck).toBe(PINNED_BOTTLENECK_VERSION);
  expect((Bottleneck as unknown as { version: string }).version).toBe(PINNED_BOTTLENECK_VERSION);
  expect(() => checkBottleneckCompat()).not.toThrow();
  expect(() => checkBottleneckCompat(Bottleneck)).not.toThrow();
});

test('a Bottleneck without the script-argument builder fails with a message naming it and the pinned version', () => {
  const error = thrown(() =>
    checkBottleneckCompat(fakeBottleneck({ limiter: ['_dropAllQueued'], connection: ['scriptArgs'] })),
  );
  expect(error.missing).toEqual(['IORedisConnection.prototype.__scriptArgs__']);
  expect(error.message).toBe(
    'The shared rate limiter cannot run on bottleneck 3.0.0: it lacks IORedisConnection.prototype.__scriptArgs__ ' +
      "(used to read Redis 7's error replies to its Lua scripts). It is written for bottleneck 2.19.5 " +
      '(pinned in package.json): reinstall that version (npm ci), or port src/cas/bottleneck-compat.ts to the new one.',
  );
});

test('a Bottleneck without the queue drop fails naming it; with neither, both are named', () => {
  const noDrop = thrown(() =>
    checkBottleneckCompat(fakeBottleneck({ limiter: ['dropAllQueued'], connection: ['__scriptArgs__'] })),
  );
  expect(noDrop.missing).toEqual(['Bottleneck.prototype._dropAllQueued']);
  expect(noDrop.message).toContain('lacks Bottleneck.prototype._dropAllQueued (used to fail waiting calls');
  expect(noDrop.message).toContain(`bottleneck ${PINNED_BOTTLENECK_VERSION} (pinned in package.json)`);

  const neither = thrown(() => checkBottleneckCompat(fakeBottleneck({ limiter: [], connection: [] })));
  expect(neither.missing).toEqual([
    'IORedisConnection.prototype.__scriptArgs__',
    'Bottleneck.prototype._dropAllQueued',
  ]);
});

test('an internal that is no longer a function counts as missing', () => {
  const fake = fakeBottleneck({ limiter: [], connection: ['__scriptArgs__'] });
  (fake.prototype as Record<string, unknown>)._dropAllQueued = true;
  expect(thrown(() => checkBottleneckCompat(fake)).missing).toEqual(['Bottleneck.prototype._dropAllQueued']);
});

test('building the shared limiter runs the check before connecting to Redis', async () => {
  const proto = Bottleneck.prototype as unknown as Record<string, unknown>;
  const original = proto._dropAllQueued;
  delete proto._dropAllQueued;
  try {
    // Nothing listens on port 1: only the check can answer this fast and this way.
    const error = await connectRedisLimiter({
      url: 'redis://127.0.0.1:1',
      jobExpirationMs: 1_000,
      limits: { minTime: 100, maxConcurrent: 1 },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BottleneckCompatError);
    expect((error as BottleneckCompatError).missing).toEqual(['Bottleneck.prototype._dropAllQueued']);
  } finally {
    proto._dropAllQueued = original;
  }
});
