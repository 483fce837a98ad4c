/**
 * What one doctor check found, and how it is printed: `✔ check: detail`, `✖ check: detail — fix`,
 * or `– check: detail` for a check that does not apply. Every line goes through `scrub` first,
 * so a secret that a driver or a server echoed back never reaches the terminal.
 */
export interface CheckResult {
  check: string;
  ok: boolean;
  detail: string;
  /** What to do about a failure; null when the check passed or was skipped. */
  fix: string | null;
  /** Set on a check that did not run (nothing configured, or an earlier check failed). */
  skipped?: true;
}

export const pass = (check: string, detail: string): CheckResult => ({ check, ok: true, detail, fix: null });
export const fail = (check: string, detail: string, fix: string): CheckResult => ({ check, ok: false, detail, fix });
export const skip = (check: string, detail: string): CheckResult => ({
  check,
  ok: true,
  detail,
  fix: null,
  skipped: true,
});

export function formatLine(result: CheckResult): string {
  if (result.skipped) return `– ${result.check}: ${result.detail}`;
  if (result.ok) return `✔ ${result.check}: ${result.detail}`;
  return `✖ ${result.check}: ${result.detail} — ${result.fix ?? 'see the detail'}`;
}

/** Bounds every check: doctor never waits longer than this for one answer. */
export const CHECK_TIMEOUT_MS = 5_000;

export class CheckTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms / 1000} s`);
    this.name = 'CheckTimeout';
  }
}

/** `promise`, or a CheckTimeout after `ms`; `onLate` gets what the promise resolves to after that (to close it). */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number = CHECK_TIMEOUT_MS,
  onLate?: (value: T) => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new CheckTimeout(ms));
    }, ms);
  });
  if (onLate)
    promise.then(
      (value) => {
        if (late) onLate(value);
      },
      () => undefined,
    );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One line saying why something failed: a socket error's code (`ECONNREFUSED`), else the
 * first line of its message. Duck-typed: errors of Node's sockets and fetch may come from
 * another realm, and fetch puts the socket's error in `cause`.
 */
export function reasonOf(error: unknown): string {
  const { message, code, cause, errors } = (error ?? {}) as {
    message?: unknown;
    code?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (Array.isArray(errors) && errors.length > 0) return reasonOf(errors[0]);
  if (cause !== undefined && typeof message === 'string' && /fetch failed/i.test(message)) return reasonOf(cause);
  const text = typeof message === 'string' && message ? message.split('\n')[0] : String(error);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && !text.includes(code)) return `${code}: ${text}`;
  return text.slice(0, 300);
}

/**
 * Secret values the environment holds: variables whose name says secret, token or password,
 * and the password of any URL. Short values are left alone so ordinary words are never
 * blanked out. The caller adds the key secrets an accounts file read from other variables.
 */
export function secretsOf(env: Record<string, string | undefined>): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.trim().length < 6) continue;
    if (/SECRET|TOKEN|PASSWORD|PASSWD/i.test(name)) secrets.add(value.trim());
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim())) {
      try {
        const url = new URL(value.trim());
        if (url.password.length >= 4) {
          secrets.add(url.password);
          try {
            secrets.add(decodeURIComponent(url.password));
          } catch {
            // the raw form is scrubbed already
          }
        }
      } catch {
        // not a URL after all
      }
    }
  }
  return [...secrets];
}

export function scrubber(secrets: Iterable<string | undefined>): (text: string) => string {
  const values = [...new Set(secrets)]
    .filter((s): s is string => typeof s === 'string' && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text) => values.reduce((clean, secret) => clean.split(secret).join('[redacted]'), text);
}
