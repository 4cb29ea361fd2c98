/**
 * The one place credentials are removed before anything is recorded or shown: URLs (the password
 * in the user-info part and secret query parameters such as `?password=`, `?sslpassword=`), the
 * command line that reproduces a run, and the resolved options. Results, reports and error
 * messages only ever see what these return.
 */

/** Query parameter names whose values are secrets (libpq's `password`, `sslpassword`, tokens...). */
const SECRET_PARAM = /pass|pwd|secret|token|key|credential|auth/i;

/**
 * `postgres://user:secret@h:5432/db?password=x` -> `postgres://user:***@h:5432/db?password=***`.
 * A password with an unencoded `@` is masked whole (the URL parser takes the last `@` as the end
 * of the user info). A string that does not parse as a URL is hidden whole: it may be all secret.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...new Set(u.searchParams.keys())]) {
      if (SECRET_PARAM.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}

/** Any URL inside one argument (`--pg-url=postgres://...`, or the URL alone) is redacted. */
const URL_IN_ARG = /[A-Za-z][A-Za-z0-9+.-]*:\/\/.*/s;

export function redactArg(arg: string): string {
  return arg.replace(URL_IN_ARG, (url) => redactUrl(url));
}

/** A command line as one string a shell would accept, with every URL redacted. */
export function redactCommandLine(prefix: string, argv: readonly string[]): string {
  return [
    prefix,
    ...argv.map(redactArg).map((a) => (/^[\w@%+=:,./*-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)),
  ].join(' ');
}

/** The resolved options as they are recorded: every value that is a URL is redacted. */
export function redactConfig<T extends object>(config: T): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === 'string' && URL_IN_ARG.test(v)) out[k] = redactArg(v);
  }
  return out;
}
