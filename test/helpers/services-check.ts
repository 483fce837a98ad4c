import net from 'node:net';

/** A server the suite needs, where it is, and what to do when it is not there. */
export interface NeededService {
  name: string;
  url: string;
  defaultPort: number;
  fix: string;
}

export function neededServices(env: NodeJS.ProcessEnv = process.env): NeededService[] {
  return [
    {
      name: 'Redis',
      url: env.TEST_REDIS_URL || 'redis://127.0.0.1:6379',
      defaultPort: 6379,
      fix: 'start it (`redis-server --daemonize yes`, or `service redis-server start`) or set TEST_REDIS_URL',
    },
    {
      name: 'PostgreSQL',
      url: env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
      defaultPort: 5432,
      fix: 'start it (`service postgresql start`; user postgres, database "test", trust auth) or set TEST_DATABASE_URL',
    },
  ];
}

function reachable(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (problem?: string) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done('no answer'));
    socket.once('connect', () => done());
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/** One line per needed server that does not accept a connection; none when all do. */
export async function unreachableServices(env: NodeJS.ProcessEnv = process.env, timeoutMs = 2_000): Promise<string[]> {
  const lines = await Promise.all(
    neededServices(env).map(async (service) => {
      const url = new URL(service.url);
      const host = url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
      const port = Number(url.port || service.defaultPort);
      const problem = await reachable(host, port, timeoutMs);
      return problem
        ? `The tests need ${service.name} at ${host}:${port}, which is not reachable (${problem}): ${service.fix}.`
        : undefined;
    }),
  );
  return lines.filter((line): line is string => line !== undefined);
}
