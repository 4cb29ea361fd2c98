import { type BenchConfig, FLAG_OF } from './config.ts';

/**
 * The command that reproduces a run on another machine: every option in effect spelled out
 * (defaults included, so a later change of default cannot change the matrix), the databases the
 * run used, and the revision. URLs appear with their password masked: the reader supplies their
 * own. Option order follows the config schema, so two runs of one matrix print the same command.
 */
export function reproduceCommand(
  config: BenchConfig,
  databases: readonly string[],
  gitSha: string | null,
  redactUrl: (url: string) => string,
): string {
  const args: string[] = [];
  for (const key of Object.keys(FLAG_OF) as (keyof BenchConfig)[]) {
    const flag = FLAG_OF[key];
    const value = config[key];
    if (key === 'preset' || key === 'json' || value === undefined) continue;
    if (key === 'freshServers') {
      if (value === true) args.push(flag);
      continue;
    }
    if (key === 'db') continue;
    // A db A/B run names its targets in --ab itself.
    if ((key === 'pgUrl' || key === 'mysqlUrl') && config.ab?.startsWith('db=')) continue;
    let text: string;
    if (key === 'duration' || key === 'warmupMax' || key === 'lockTimeout') text = `${value}ms`;
    else if (key === 'warmup') text = value === 'auto' ? 'auto' : `${value}ms`;
    else if (key === 'pgUrl' || key === 'mysqlUrl') text = redactUrl(String(value));
    else if (key === 'abTarget' || key === 'abThreshold') {
      if (config.ab === undefined) continue;
      text = `${Math.round((value as number) * 1000) / 10}%`;
    } else if (key === 'abBudget') {
      if (config.ab === undefined) continue;
      const b = value as BenchConfig['abBudget'];
      text = b.ms === null ? String(b.pairs) : `${b.pairs},${b.ms}ms`;
    } else if (key === 'ab' && String(value).startsWith('db=')) text = redactDbSpec(String(value), redactUrl);
    else if (Array.isArray(value)) text = value.join(',');
    else text = String(value);
    args.push(flag, quote(text));
  }
  if (databases.length) args.unshift('--db', databases.join(','));
  const bench = ['npm run bench --', ...args].join(' ');
  if (!gitSha) return bench;
  // A run from a tree with uncommitted changes names its base commit; the changes cannot travel.
  const sha = gitSha.replace(/-dirty$/, '');
  const note = sha === gitSha ? '' : '  # the run had uncommitted changes on top of this commit';
  return `git checkout ${sha} && npm ci && ${bench}${note}`;
}

/** `db=<url>,<url>` with both passwords masked. */
function redactDbSpec(spec: string, redactUrl: (url: string) => string): string {
  return `db=${spec
    .slice(3)
    .split(',')
    .map((v) => (v.includes('://') ? redactUrl(v) : v))
    .join(',')}`;
}

/** Shell-quotes what is not a plain word. */
function quote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
