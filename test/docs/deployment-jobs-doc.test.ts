import fs from 'node:fs';
import path from 'node:path';
import { DEPLOYMENT_RAM_ACTIONS } from '../../src/cas/deployment-operations';
import { configSchema } from '../../src/config';

/** docs/deployment-jobs.md says what the code does: its RAM statement and its variables. */
const doc = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'deployment-jobs.md'), 'utf8');

test('the RAM statement grants exactly the actions the deployment operations need', () => {
  const block = /```json\n([\s\S]*?)\n```/.exec(doc.slice(doc.indexOf('## RAM')))?.[1];
  const statement = JSON.parse(block ?? '{}') as { Effect: string; Action: string[]; Resource: string };
  expect(statement.Effect).toBe('Allow');
  expect(statement.Resource).toBe('*');
  expect([...statement.Action].sort()).toEqual([...DEPLOYMENT_RAM_ACTIONS].sort());
  expect(statement.Action).toContain('yundun-cert:DescribeDeployment');
});

test('every DEPLOY_ variable of the schema is in the table, with its default', () => {
  const names = Object.keys(configSchema.shape).filter((name) => name.startsWith('DEPLOY_'));
  expect(names).toHaveLength(7);
  for (const name of names) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
    expect({ name, row: row !== undefined }).toEqual({ name, row: true });
    const field = configSchema.shape[name as keyof typeof configSchema.shape];
    const parsed = field.safeParse(undefined);
    const fallback = parsed.success ? parsed.data : undefined;
    const shown = row?.split('|')[2]?.trim() ?? '';
    const expected =
      fallback === undefined || (Array.isArray(fallback) && fallback.length === 0) ? '' : `\`${String(fallback)}\``;
    expect({ name, shown }).toEqual({ name, shown: expected });
  }
});
