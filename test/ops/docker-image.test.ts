import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { configSchema } from '../../src/config';
import {
  dockerignore,
  DOCKERFILE,
  healthcheckCommand,
  INSTRUCTIONS,
  ROOT,
  RUNTIME_STAGE,
  runtimeEnv,
  runtimeInstruction,
} from '../helpers/dockerfile';

/**
 * What can be checked of the image without a Docker engine: the Dockerfile read as Docker reads
 * it. The app that the image runs (pruned production dependencies, cert-bot through its PATH
 * link, the HEALTHCHECK's command) is started for real in production-deps.test.ts.
 */

test('the image runs as a numeric user, which owns the data volume', () => {
  const user = runtimeInstruction('USER') ?? '';
  // Kubernetes' runAsNonRoot refuses a user name it cannot verify is not root.
  expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
  const chown = INSTRUCTIONS.filter((i) => i.stage === RUNTIME_STAGE && i.keyword === 'RUN')
    .map((i) => /chown (\d+:\d+) \/data\b/.exec(i.args)?.[1])
    .find(Boolean);
  expect(chown).toBe(user);
  expect(runtimeEnv().DATA_DIR).toBe('/data');
  expect(runtimeInstruction('VOLUME')).toBe('["/data"]');
});

test('the build reaches only the npm registry and Debian: no syntax directive, Node headers from the image', () => {
  // A `# syntax=` line makes BuildKit pull a frontend image from Docker Hub.
  expect(DOCKERFILE).not.toMatch(/^#\s*syntax\s*=/im);
  const compiling = [...new Set(INSTRUCTIONS.filter((i) => /npm (rebuild|ci)\b/.test(i.args)).map((i) => i.stage))];
  expect(compiling.length).toBeGreaterThan(0);
  for (const stage of compiling) {
    const env = INSTRUCTIONS.filter((i) => i.stage === stage && i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    // node-gyp compiles against these headers instead of downloading them; prebuild-install
    // downloads nothing when asked to build from source.
    expect(env).toMatch(/npm_config_nodedir=\/usr\/local\b/);
    expect(env).toMatch(/npm_config_build_from_source=true\b/);
  }
  // Cleaning the npm cache in a stage that is never shipped does nothing; a cache mount does.
  expect(DOCKERFILE).not.toMatch(/npm cache clean/);
  for (const npmCi of INSTRUCTIONS.filter((i) => /npm ci\b/.test(i.args)))
    expect(npmCi.args).toMatch(/^--mount=type=cache,target=\/root\/\.npm /);
});

test('the runtime ships the built bot, pruned production dependencies and package.json only', () => {
  const copies = INSTRUCTIONS.filter((i) => i.stage === RUNTIME_STAGE && i.keyword === 'COPY').map((i) => i.args);
  expect(copies).toEqual([
    '--from=deps /app/node_modules ./node_modules',
    '--from=build /app/dist/src ./dist/src',
    'package.json ./',
  ]);
  expect(DOCKERFILE).toMatch(/sh prune-node-modules\.sh node_modules/);
  expect(DOCKERFILE).toMatch(/find dist -name '\*\.map' -delete/);
});

test('cert-bot is on PATH and is the entry point; the port is the bot default', () => {
  expect(DOCKERFILE).toMatch(/ln -s \/app\/dist\/src\/cli\.js \/usr\/local\/bin\/cert-bot/);
  expect(DOCKERFILE).toMatch(/chmod 755 dist\/src\/cli\.js/);
  expect(fs.readFileSync(path.join(ROOT, 'src', 'cli.ts'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  expect(runtimeInstruction('ENTRYPOINT')).toBe('["cert-bot"]');
  expect(runtimeInstruction('CMD')).toBe('["serve"]');
  const defaultPort = String(configSchema.shape.PORT.parse(undefined));
  expect(runtimeEnv().PORT).toBe(defaultPort);
  expect(runtimeInstruction('EXPOSE')).toBe(defaultPort);
});

test('the health check probes /healthz without starting a Node process', () => {
  const command = healthcheckCommand();
  expect(command[0]).toBe('bash');
  expect(command.join(' ')).not.toMatch(/\bnode\b/);
  expect(command.join(' ')).toContain('GET /healthz');
});

test('.env.example, used as --env-file, sets nothing the image owns', () => {
  const example = dotenv.parse(fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8'));
  const owned = Object.keys(runtimeEnv());
  expect(owned).toEqual(expect.arrayContaining(['DATA_DIR', 'PORT']));
  expect(Object.keys(example).filter((name) => owned.includes(name))).toEqual([]);
});

test('secrets files, logs and local data never enter the build context', () => {
  const excluded = dockerignore();
  for (const file of ['.env', '.env.production', '.env.local', 'logs/bot.log', 'cert-bot.log', 'data/cert-bot.sqlite'])
    expect([file, excluded.ignores(file)]).toEqual([file, true]);
});

test('every image tag the docs and the Kubernetes kit name is the package version', () => {
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const files = [
    'README.md',
    ...fs.readdirSync(path.join(ROOT, 'docs')).map((name) => `docs/${name}`),
    'deploy/kubernetes/base/kustomization.yaml',
  ];
  const tags = files.flatMap((file) =>
    [
      ...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/cas-cert-bot:(\d+\.\d+\.\d+)\b|newTag: '([^']+)'/g),
    ].map((m) => `${file}: ${m[1] ?? m[2]}`),
  );
  expect(tags.length).toBeGreaterThan(3);
  expect(tags.filter((tag) => !tag.endsWith(`: ${version}`))).toEqual([]);
});
