import { parseArgs } from 'node:util';
import { LockbenchError } from '../core/errors.ts';
import {
  COMPARE_MODES,
  type CompareMode,
  type CompareOptions,
  DEFAULT_COMPARE_OPTIONS,
} from './compare-runs.ts';
import type { MetricName } from './metrics.ts';

/** What the `compare` command was asked to do, parsed and checked. */
export interface CompareArgs {
  /** run.json file or run directory (dir/run.json). */
  baseline: string;
  current: string;
  /** Also write the markdown summary here; null: stdout only. */
  out: string | null;
  options: CompareOptions;
  /** --help: print usage and exit 0. */
  help: boolean;
}

export const COMPARE_USAGE = `Usage: npm run compare -- <baseline> <current> [options]

  <baseline>, <current>   a run.json file or a run directory (results/latest works)

Options:
  --mode absolute|relative|both   what counts as a regression (default both: absolute and
                                  relative to the reference strategy must agree)
  --threshold <pct>               threshold for every metric (default 15%)
  --threshold-goodput <pct>       goodput (bigger is better)
  --threshold-p99 <pct>           p99 latency of all responses (smaller is better)
  --threshold-retries <pct>       extra attempts per success (smaller is better)
  --reference <strategy>          reference strategy for relative mode (default atomic;
                                  else the best goodput of each group)
  --out <file>                    also write the markdown summary to <file>
  -h, --help                      this text

<pct> is a percentage: 15% or 15. A figure is a regression when the 95% interval of its ratio
current/baseline lies entirely beyond the threshold; that interval combines both runs' intervals
and the run-to-run noise measured from how far the pair's cells scatter beyond them (8 or more
figures needed). A figure with no interval on a side (one
repeat of cells too short for within-run batches) is not judged. Exit 0: no regression detected,
or nothing could be judged (the summary then says "could not tell"); 1: a judged regression or a
correctness failure; 2: usage error, or no run at a path given (LOCKBENCH_RESULT_MISSING).`;

const PER_METRIC_FLAGS: Record<string, MetricName> = {
  'threshold-goodput': 'goodput',
  'threshold-p99': 'p99',
  'threshold-retries': 'extraAttempts',
};
const STRING_FLAGS = ['mode', 'threshold', ...Object.keys(PER_METRIC_FLAGS), 'reference', 'out'] as const;
const ALLOWED = [...STRING_FLAGS.map((f) => `--${f}`), '--help'].join(', ');

function usage(message: string): LockbenchError {
  return new LockbenchError('LOCKBENCH_USAGE', message);
}

/** "15%" or "15" -> 0.15. Throws LOCKBENCH_USAGE naming the flag. */
export function parsePercent(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const value = m ? Number(m[1]) : Number.NaN;
  if (!Number.isFinite(value) || value > 1000) {
    throw usage(`--${flag} must be a percentage between 0% and 1000%, like 15% (got "${text}")`);
  }
  return value / 100;
}

/** Parses the command line; throws LockbenchError LOCKBENCH_USAGE (exit 2) on anything wrong. */
export function parseCompareArgs(argv: readonly string[]): CompareArgs {
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    strict: false,
    allowPositionals: true,
    tokens: true,
    options: {
      ...Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' as const }])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    if (t.name !== 'help' && !(STRING_FLAGS as readonly string[]).includes(t.name)) {
      throw usage(`unknown option ${t.rawName}; allowed: ${ALLOWED}`);
    }
    if (t.name !== 'help' && typeof values[t.name] !== 'string') throw usage(`${t.rawName} needs a value`);
  }
  const help = values.help === true;
  const str = (flag: string) => values[flag] as string | undefined;

  const mode = str('mode') ?? DEFAULT_COMPARE_OPTIONS.mode;
  if (!(COMPARE_MODES as readonly string[]).includes(mode)) {
    throw usage(`--mode must be one of ${COMPARE_MODES.join(', ')} (got "${mode}")`);
  }
  const all = str('threshold');
  const thresholds = { ...DEFAULT_COMPARE_OPTIONS.thresholds };
  if (all !== undefined) {
    const t = parsePercent('threshold', all);
    for (const metric of Object.keys(thresholds) as MetricName[]) thresholds[metric] = t;
  }
  for (const [flag, metric] of Object.entries(PER_METRIC_FLAGS)) {
    const text = str(flag);
    if (text !== undefined) thresholds[metric] = parsePercent(flag, text);
  }
  const reference = str('reference') ?? DEFAULT_COMPARE_OPTIONS.reference;
  if (reference.trim() === '') throw usage('--reference must name a strategy');

  const [baseline, current, ...extra] = positionals;
  if (!help && (baseline === undefined || current === undefined)) {
    throw usage('expected two arguments: <baseline> <current> (run.json files or run directories)');
  }
  if (extra.length > 0)
    throw usage(`expected two arguments, got ${positionals.length}: ${positionals.join(' ')}`);

  return {
    baseline: baseline ?? '',
    current: current ?? '',
    out: str('out') ?? null,
    options: { mode: mode as CompareMode, thresholds, reference },
    help,
  };
}
