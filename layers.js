// The layers of src/, bottom to top. A module may import its own layer and the layers below it,
// never one above: data flows one way, from CAS and the store up to Slack and the CLI. ESLint
// turns this table into no-restricted-imports rules (eslint.config.js); test/architecture checks
// that every folder of src/ is in it and that an import running back up fails the lint.
//
// Each entry is a folder of src/ (or a top-level file, named with .ts).
const LAYERS = [
  // Pure business rules: no I/O, nothing of the project but itself (its own rule adds no I/O).
  ['domain'],
  // The two outside stores of truth, each reached through one client.
  ['cas', 'store'],
  // Logging, metrics and the per-account pieces built on the CAS client.
  ['ops', 'accounts'],
  // Scheduled jobs and their leases.
  ['jobs'],
  // The inventory (CAS → store) and what endpoints really serve.
  ['inventory', 'probe'],
  // Wording and pictures shared by Slack, the CLI and the digest.
  ['render'],
  // Use cases that act: deployment jobs, posting a message exactly once.
  ['deploy', 'delivery'],
  // The use cases that speak to people.
  ['alerts', 'digest', 'assign', 'risk'],
  // The one configuration schema: it checks values with the validators of the layers below,
  // which themselves take plain options, never Config.
  ['config.ts'],
  // Slack's edge.
  ['slack'],
  // The wiring: builds every part once and hands them to each other.
  ['wiring', 'services.ts'],
  // Entry points.
  ['cli', 'cli.ts', 'demo'],
];

/**
 * The CAS simulator is sealed: it imports nothing of the bot, and only the CLI's sandbox
 * command and the demo start it.
 */
const SEALED = { folder: 'sandbox', importers: ['src/cli/sandbox-command.ts', 'src/demo/run-demo.ts'] };

/** Slack is an edge only the wiring builds: the CLI and the demo reach Slack through services. */
const SLACK_IMPORTERS = ['slack', 'wiring', 'services.ts'];

module.exports = { LAYERS, SEALED, SLACK_IMPORTERS };
