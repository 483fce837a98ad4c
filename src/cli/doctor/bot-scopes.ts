/**
 * The bot scopes of manifest.yml (`oauth_config.scopes.bot`), which the Docker image does not
 * carry. A test keeps this list equal to the manifest's.
 */
export const MANIFEST_BOT_SCOPES: readonly string[] = [
  'commands',
  'chat:write',
  'chat:write.public',
  'channels:history',
  'groups:history',
  'files:write',
  'usergroups:read',
];
