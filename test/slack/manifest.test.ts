import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** manifest.yml, as pasted into "Create New App → From an app manifest". */
interface Manifest {
  features: {
    app_home?: { home_tab_enabled?: boolean; messages_tab_enabled?: boolean };
    slash_commands: Array<{ command: string; url: string }>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string };
    event_subscriptions?: { request_url: string; bot_events: string[] };
    socket_mode_enabled: boolean;
  };
}

const manifest = parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'manifest.yml'), 'utf8')) as Manifest;
const EVENTS_URL = 'https://YOUR-HOST/slack/events';

test('every command and interactivity point at /slack/events', () => {
  expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([
    '/cert-risk',
    '/cert-status',
    '/cert-list',
    '/cert-info',
    '/cert-probe',
    '/cert-assign',
    '/cert-deploy',
  ]);
  for (const command of manifest.features.slash_commands) expect(command.url).toBe(EVENTS_URL);
  expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: EVENTS_URL });
  expect(manifest.settings.socket_mode_enabled).toBe(false);
});

test('App Home: the Home tab is on and app_home_opened arrives at the same URL', () => {
  expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
  expect(manifest.features.app_home?.messages_tab_enabled).toBeUndefined();
  expect(manifest.settings.event_subscriptions).toEqual({ request_url: EVENTS_URL, bot_events: ['app_home_opened'] });
});

test('App Home adds no scope (views.publish and views.open need none)', () => {
  const scopes = manifest.oauth_config.scopes.bot;
  expect(scopes).toEqual(expect.arrayContaining(['commands', 'chat:write', 'chat:write.public']));
  expect(scopes.filter((s) => /^(im|users|mpim):/.test(s))).toEqual([]);
});
