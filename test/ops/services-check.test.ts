import net from 'node:net';
import { unreachableServices } from '../helpers/services-check';

/** A port on 127.0.0.1 that nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a missing Redis or PostgreSQL is named in one line with the variable and the command to start it', async () => {
  const redisPort = await closedPort();
  const postgresPort = await closedPort();
  const lines = await unreachableServices({
    TEST_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    TEST_DATABASE_URL: `postgres://postgres@127.0.0.1:${postgresPort}/test`,
  });
  expect(lines).toEqual([
    expect.stringMatching(
      new RegExp(
        `^The tests need Redis at 127\\.0\\.0\\.1:${redisPort}, which is not reachable \\(ECONNREFUSED\\): .*redis-server.*TEST_REDIS_URL\\.$`,
      ),
    ),
    expect.stringMatching(
      new RegExp(`^The tests need PostgreSQL at 127\\.0\\.0\\.1:${postgresPort}, .*postgresql.*TEST_DATABASE_URL\\.$`),
    ),
  ]);
  for (const line of lines) expect(line).not.toContain('\n');
});

test('the servers this machine runs are found (nothing to say)', async () => {
  expect(await unreachableServices()).toEqual([]);
});
