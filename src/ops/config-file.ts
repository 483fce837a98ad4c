import fs from 'node:fs';
import YAML from 'yaml';

/**
 * Reading the files the configuration names (ALERT_ROUTES_FILE, CAS_ACCOUNTS_FILE,
 * PROBE_CA_FILE) with one wording for what went wrong, so a person sees the same words for the
 * same problem whichever variable named the file. Problems name the file, never its contents.
 */

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

export function readConfigFile(file: string): { text: string } | { problem: string } {
  try {
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: `cannot read ${JSON.stringify(file)}: ${(code && REASONS[code]) ?? code ?? 'unreadable'}` };
  }
}

/**
 * A YAML file's value, or every problem with it. `aliasHint` explains the usual cause of an
 * alias error: an unquoted value that starts with `*` is a YAML alias, resolved only by toJS.
 */
export function readYamlFile(file: string, aliasHint: string): { value: unknown } | { problems: string[] } {
  const read = readConfigFile(file);
  if ('problem' in read) return { problems: [read.problem] };
  const document = YAML.parseDocument(read.text, { prettyErrors: true });
  if (document.errors.length > 0)
    return {
      problems: document.errors.map(
        (error) => `${JSON.stringify(file)} is not valid YAML: ${firstLine(error.message)}`,
      ),
    };
  try {
    return { value: document.toJS() };
  } catch (error) {
    const hint = /alias/i.test(String(error)) ? ` (${aliasHint})` : '';
    return { problems: [`${JSON.stringify(file)} is not valid YAML: ${firstLine((error as Error).message)}${hint}`] };
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0].replace(/:$/, '');
}
