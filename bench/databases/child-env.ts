/**
 * The environment a throwaway database server (or its init tool, or its guardian) gets: only what
 * it needs to run. Not the harness's own environment, which may carry LOCKBENCH_PG_URL,
 * LOCKBENCH_MYSQL_URL, PGPASSWORD or a cloud token: a server process has no use for them, and its
 * environment is readable in /proc by the user it runs as.
 */
const PASSED = ['PATH', 'TZ', 'LD_LIBRARY_PATH', 'DYLD_LIBRARY_PATH', 'DYLD_FALLBACK_LIBRARY_PATH'];

export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C', LANG: 'C' };
  for (const name of PASSED) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  return { ...env, ...extra };
}

/** Variables that carry database credentials for the harness itself. */
const CREDENTIALS = /^(LOCKBENCH_(PG|MYSQL)_URL|PGPASSWORD|PGPASSFILE|MYSQL_PWD)$/;

/**
 * The harness's environment minus its database credentials, for the benchmark server: it gets
 * the one URL it needs as LOCKBENCH_DB_URL, not the others.
 */
export function envWithoutCredentials(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!CREDENTIALS.test(k)) out[k] = v;
  return out;
}
