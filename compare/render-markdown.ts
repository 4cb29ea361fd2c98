import { escapeMarkdown } from '../report/markdown.ts';
import type { ComparedMetric, Comparison, RunSummary } from './compare-runs.ts';
import type { Estimate } from './estimate.ts';
import { METRIC_NAMES, METRICS, type MetricName } from './metrics.ts';
import { MIN_NOISE_FIGURES, noiseHalfWidth } from './run-noise.ts';
import type { Judgement, Verdict, VerdictReason } from './verdict.ts';

type NotJudgedReason = Extract<VerdictReason, 'no-interval' | 'not-steady' | 'disturbed'>;

/** How to get figures judged that have no interval; quoted in the headline and the rules. */
export const JUDGE_HINT =
  'run with --repeat 3 or longer --duration to judge them, or compare two revisions side by side with --ab base=origin/main';

/** Renders a comparison as GitHub-flavoured markdown for a PR comment or a job summary; pure. */
export function renderComparisonMarkdown(c: Comparison): string {
  const out: string[] = [
    '## lockbench: performance comparison',
    '',
    headline(c),
    '',
    modeLine(c),
    '',
    ...noiseLines(c),
    runsTable(c),
  ];

  const failures = c.correctness.failures;
  if (failures.length > 0) {
    out.push(
      '',
      '### Correctness failures',
      '',
      '| cell | repeat | problem | detail |',
      '| --- | ---: | --- | --- |',
    );
    for (const f of failures) {
      const problem = f.kind === 'violations' ? 'invariant violated (strategy claims safety)' : 'cell failed';
      out.push(`| ${escapeMarkdown(f.label)} | ${f.repeat} | ${problem} | ${escapeMarkdown(f.detail)} |`);
    }
  }

  const decided = c.metrics.filter((m) => m.verdict === 'regression' || m.verdict === 'improved');
  if (decided.length > 0) out.push('', '### Regressions and improvements', '', ...metricTable(decided));
  const moved = c.metrics.filter(
    (m) => m.verdict === 'noise' && movedBeyondThreshold(m, c.options.mode),
  ).length;
  if (moved > 0) {
    out.push(
      '',
      `${moved} figure(s) moved beyond the threshold but count as noise (the 95% interval of the ratio reaches ` +
        `back inside the threshold${c.options.mode === 'both' ? ', or absolute and relative comparisons disagree' : ''}): ` +
        'see all comparisons below.',
    );
  }

  const cellLists: string[] = [];
  if (c.added.length > 0)
    cellLists.push(`- Added (only in current): ${c.added.map((x) => escapeMarkdown(x.label)).join(', ')}`);
  if (c.removed.length > 0)
    cellLists.push(
      `- Removed (only in baseline): ${c.removed.map((x) => escapeMarkdown(x.label)).join(', ')}`,
    );
  for (const u of c.unmeasured) {
    cellLists.push(
      `- Not compared, no measured repeat on one side: ${escapeMarkdown(u.label)} (baseline ${u.baseline}; current ${u.current})`,
    );
  }
  if (cellLists.length > 0) out.push('', '### Cells not compared', '', ...cellLists);

  const notes: string[] = c.warnings.map((w) => `- ⚠️ ${escapeMarkdown(w)}`);
  for (const s of c.correctness.statusChanges) {
    notes.push(`- Status changed: ${escapeMarkdown(s.label)}: ${s.baseline} → ${s.current}`);
  }
  for (const u of c.correctness.expectedUnsafe) {
    notes.push(
      `- ${escapeMarkdown(u.label)}: up to ${u.maxViolations} violation(s) in ${u.unsafeRepeats} of ${u.repeats} repeat(s); ` +
        `${u.strategy} does not claim safety here, so this is expected, not a failure.`,
    );
  }
  if (notes.length > 0) out.push('', '### Notes', '', ...notes);

  if (c.metrics.length > 0) {
    out.push(
      '',
      `<details><summary>All ${c.metrics.length} comparisons</summary>`,
      '',
      ...metricTable(c.metrics),
      '',
      '</details>',
    );
  }
  out.push('', '<details><summary>How verdicts are decided</summary>', '', ...rules(c), '', '</details>', '');
  return out.join('\n');
}

function headline(c: Comparison): string {
  const n = c.counts;
  const notJudged = n['not-judged'];
  const judged = c.metrics.length - notJudged;
  const counted =
    notJudged > 0
      ? `${judged} judged, ${notJudged} not judged: ${whyNotJudged(c)} — ${JUDGE_HINT}`
      : `${judged} judged`;
  const extra = [
    n.improved > 0 ? `${n.improved} improvement(s)` : null,
    c.added.length + c.removed.length > 0
      ? `${c.added.length} added, ${c.removed.length} removed cell(s)`
      : null,
  ].filter((x) => x !== null);
  const tail = extra.length > 0 ? ` ${extra.join('; ')}.` : '';
  if (c.outcome === 'could-not-tell') {
    const why =
      c.metrics.length === 0
        ? 'no figure was compared (see the notes)'
        : `no figure has an interval in both runs (${counted})`;
    return `❔ **PASS, could not tell**: ${why}.${tail}`;
  }
  if (c.outcome === 'pass') return `✅ **PASS**: no regression detected (${counted}).${tail}`;
  const why = [
    n.regression > 0 ? `${n.regression} regression(s)` : null,
    c.correctness.failures.length > 0 ? `${c.correctness.failures.length} correctness failure(s)` : null,
  ].filter((x) => x !== null);
  return `❌ **FAIL**: ${why.join(', ')} (${counted}).${tail}`;
}

const REASON_TEXT: Record<NotJudgedReason, string> = {
  'no-interval': 'no interval',
  'not-steady': 'not steady',
  disturbed: 'machine busy',
};

/** Why one figure was not judged: the first side that says (absolute, then relative). */
function notJudgedReason(m: ComparedMetric): NotJudgedReason {
  for (const j of [m.absolute, m.relative]) {
    if (j && (j.reason === 'not-steady' || j.reason === 'disturbed')) return j.reason;
  }
  return 'no-interval';
}

/** "no interval 3, not steady 2" over the figures not judged; one reason alone without its count. */
function whyNotJudged(c: Comparison): string {
  const counts = new Map<NotJudgedReason, number>();
  for (const m of c.metrics) {
    if (m.verdict !== 'not-judged') continue;
    const r = notJudgedReason(m);
    counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  if (counts.size === 1) return REASON_TEXT[[...counts.keys()][0] as NotJudgedReason];
  return [...counts].map(([r, n]) => `${REASON_TEXT[r]} ${n}`).join(', ');
}

/** A noise verdict although a ratio the mode relies on is beyond the threshold. */
function movedBeyondThreshold(m: ComparedMetric, mode: Comparison['options']['mode']): boolean {
  const used =
    mode === 'absolute'
      ? [m.absolute]
      : mode === 'relative'
        ? [m.relative ?? m.absolute]
        : [m.absolute, m.relative];
  return used.some((j) => j !== null && (j.ratio < 1 - m.threshold || j.ratio > 1 + m.threshold));
}

function modeLine(c: Comparison): string {
  const o = c.options;
  const ref = referenceText(c);
  const how: Record<typeof o.mode, string> = {
    absolute: 'each cell against the same cell of the baseline',
    relative: `goodput and p99 divided by the reference strategy's in the same run (${ref})`,
    both: `a regression must show both in absolute figures and relative to the reference strategy in the same run (${ref})`,
  };
  const t = METRIC_NAMES.map((m) => `${METRICS[m].label} ${fmtPct(o.thresholds[m])}`).join(', ');
  const speed =
    c.goodputRatioMedian === null
      ? ''
      : ` Median goodput ratio current/baseline over all cells: ×${c.goodputRatioMedian.toFixed(2)} (a uniformly faster or slower runner shows here).`;
  return `Mode **${o.mode}**: ${how[o.mode]}. Thresholds: ${t}.${speed}`;
}

/**
 * "Run-to-run noise measured from this pair ...: goodput ±31% (24 figures), ..." — what each
 * figure's 95% interval gained; nothing when no figure had an interval on both sides.
 */
function noiseLines(c: Comparison): string[] {
  const parts = c.runNoise.map((n) => {
    const name = `${METRICS[n.metric].label}${n.basis === 'relative' ? ' (relative)' : ''}`;
    if (n.tau === null) return `${name}: not measured (${n.figures} figure(s), ${MIN_NOISE_FIGURES} needed)`;
    const added = Math.exp(noiseHalfWidth(n)) - 1;
    return `${name} ±${Math.round(added * 100)}% (${n.figures} figures)`;
  });
  if (parts.length === 0) return [];
  return [
    'Run-to-run noise measured from this pair (how far its cells scatter beyond their own intervals), added to every ' +
      `ratio's 95% interval: ${parts.join('; ')}.`,
    '',
  ];
}

function referenceText(c: Comparison): string {
  const preferred = c.options.reference;
  if (c.references.length === 0) return `preferred ${preferred}; none measured in both runs`;
  if (c.references.every((r) => r.chosenBy === 'requested')) return preferred;
  return `${preferred} where measured, else the best baseline goodput of the group; see "vs reference"`;
}

function runsTable(c: Comparison): string {
  const row = (name: string, r: RunSummary) =>
    `| ${name} | ${escapeMarkdown(r.runId)}${r.interrupted ? ' (interrupted)' : ''} | ${r.gitSha ? r.gitSha.slice(0, 7) : '—'} | ` +
    `${r.startedAt} | ${escapeMarkdown(r.cpuModel)} ×${r.cpuCount} | ${escapeMarkdown(r.databases.join('; ')) || '—'} |`;
  return [
    '| | run | commit | started | CPU | databases |',
    '| --- | --- | --- | --- | --- | --- |',
    row('baseline', c.baseline),
    row('current', c.current),
  ].join('\n');
}

function metricTable(rows: readonly ComparedMetric[]): string[] {
  const lines = [
    '| cell | metric | baseline | current | ratio [95% interval] | vs reference | verdict |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const m of rows) {
    lines.push(
      `| ${escapeMarkdown(m.label)} | ${metricText(m.metric)} | ${fmtEstimate(m.absolute.baseline, m.metric)} | ` +
        `${fmtEstimate(m.absolute.current, m.metric)} | ${fmtRatio(m.absolute)} | ${relativeText(m)} | ${fmtVerdict(m)} |`,
    );
  }
  return lines;
}

const METRIC_TEXT: Record<MetricName, string> = {
  goodput: 'goodput (ops/s)',
  p99: 'p99 (ms)',
  extraAttempts: 'extra attempts/success',
};

function metricText(metric: MetricName): string {
  return METRIC_TEXT[metric];
}

function relativeText(m: ComparedMetric): string {
  if (m.isReference && METRICS[m.metric].relative) return 'reference';
  const r = m.relative;
  if (!r) return '—';
  return `÷${escapeMarkdown(r.reference)}: ${fmtRel(r.baseline.value)} → ${fmtRel(r.current.value)}, ${fmtRatio(r)}, ${VERDICT_TEXT[r.verdict]}`;
}

function rules(c: Comparison): string[] {
  const floors = METRIC_NAMES.map((m) => `${METRICS[m].label} ${METRICS[m].floor} ${METRICS[m].unit}`).join(
    ', ',
  );
  return [
    '- Repeats of a cell are grouped by key. Each figure is the mean over the measured repeats with a 95% interval: ' +
      "with 2 or more repeats, the t-interval over the repeats; with one, the cell's own within-run interval " +
      '(batch means of its measured seconds; for p99, the p99s of the batches), which needs at least 5 measured ' +
      "seconds. Extra attempts per success has only the repeats' interval. Shown as value ± half-width.",
    '- Figures: goodput (bigger is better), p99 latency of all responses (smaller is better), extra attempts per success (smaller is better).',
    `- ratio = current / baseline, each figure and its interval raised to a floor first; floors: ${floors}. ` +
      'So extra attempts 0.001 → 0.002 is ×1.00, not ×2.',
    "- The ratio's 95% interval comes from the two intervals on the log scale, their half-widths combined in " +
      'quadrature (±5% and ±5% give about ±7%), plus the run-to-run noise: across the compared cells, the log ratios ' +
      'scatter around their median by more than their own intervals explain when two runs differ in ways one run cannot ' +
      "see (the server process's compiled code, the database's state, the machine's neighbours). That excess, τ² = " +
      's² − median(se²) with s a robust standard deviation (1.4826 × the median absolute deviation, so cells that really ' +
      "changed, or a change of every cell, do not inflate it), is added to every interval of the figure, with Student's t " +
      `at 0.37 × (figures − 1) degrees of freedom. It needs ${MIN_NOISE_FIGURES} figures with an interval in both runs; ` +
      "with fewer, each run's own intervals alone, and a warning.",
    '- **regression** / **improvement**: the whole interval of the ratio lies beyond the threshold on the worse / better ' +
      'side (goodput below 1 − threshold is worse; p99 and extra attempts above 1 + threshold). ' +
      '**noise** (no change detected): the ratio is within the threshold, or its interval reaches back inside it' +
      (c.options.mode === 'both' ? ', or the absolute and relative comparisons disagree. ' : '. ') +
      `**not judged**: a side has no interval, so its noise is unknown; it never fails the comparison (${JUDGE_HINT}). ` +
      'With one repeat, a cell whose measured window was **not steady** (its goodput still moving: the figure depends on ' +
      'when the measurement began) or whose machine was **busy** (something else took 15% or more of it) has its ' +
      'within-run interval set aside: that interval describes the wobble inside one window, not how far another run ' +
      'lands, so it is not judged either. ' +
      'Extra attempts at or below their floor on both sides count as noise even without an interval: below it, retries are background.',
    '- Relative: goodput and p99 are divided by the reference strategy of the same run, database, workload, profile and ' +
      `load level; reference ${c.options.reference} when present, else the best baseline goodput. With 2 or more repeats ` +
      'the repeats are paired by repeat number and the interval is the t-interval over the paired ratios (what a pair ' +
      "shares cancels); with one, the quotient's interval combines the strategy's and the reference's, so it is wider " +
      'than either. ' +
      'Extra attempts per success is a per-operation ratio already and is compared as measured.',
    '- In relative and both modes the reference cell cannot be judged against itself: its moves show as noise, with a warning ' +
      'when it alone lost goodput.',
    '- Correctness: in the current run, a strategy that claims safety with violations (or status unsafe) fails the comparison ' +
      'whatever its speed; so does a cell that failed where the baseline did not. Strategies that do not claim safety (naive) are noted only.',
    '- Exit 1 on a judged regression or a correctness failure; figures not judged and cells only on one side never fail it. ' +
      'When no figure had an interval in both runs the headline says "could not tell".',
  ];
}

const VERDICT_TEXT: Record<Verdict, string> = {
  regression: 'regression',
  improved: 'improvement',
  noise: 'noise',
  'not-judged': 'not judged: no interval',
};

function fmtVerdict(m: ComparedMetric): string {
  const v = m.verdict;
  if (v === 'not-judged') return `not judged: ${REASON_TEXT[notJudgedReason(m)]}`;
  return v === 'regression' ? '❌ **regression**' : v === 'improved' ? '✅ improvement' : VERDICT_TEXT[v];
}

function fmtPct(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/** "×0.70 [0.65–0.75]"; without an interval just "×0.70". */
function fmtRatio(j: Judgement): string {
  const iv = j.ratioInterval;
  return iv === null
    ? `×${j.ratio.toFixed(2)}`
    : `×${j.ratio.toFixed(2)} [${fmtBound(iv.low)}–${fmtBound(iv.high)}]`;
}

function fmtBound(v: number): string {
  return Number.isFinite(v) ? v.toFixed(2) : '∞';
}

function fmtRel(v: number): string {
  return v.toPrecision(3);
}

export function fmtValue(v: number, metric: MetricName): string {
  if (metric === 'extraAttempts') return v.toFixed(3);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** "900 ± 45" (value ± half the 95% interval); "900 (no interval)". */
function fmtEstimate(e: Estimate, metric: MetricName): string {
  if (e.interval === null) return `${fmtValue(e.value, metric)} (no interval)`;
  return `${fmtValue(e.value, metric)} ± ${fmtValue((e.interval.high - e.interval.low) / 2, metric)}`;
}
