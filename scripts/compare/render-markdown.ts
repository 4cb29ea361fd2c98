import type { ComparedMetric, Comparison, RunSummary } from './compare-runs.ts';
import { METRIC_NAMES, METRICS, type MetricName } from './metrics.ts';
import type { Spread } from './spread.ts';
import type { Verdict } from './verdict.ts';

/** Renders a comparison as GitHub-flavoured markdown for a PR comment or a job summary; pure. */
export function renderComparisonMarkdown(c: Comparison): string {
  const out: string[] = [
    '## lockbench: performance comparison',
    '',
    headline(c),
    '',
    modeLine(c),
    '',
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
      out.push(`| ${esc(f.label)} | ${f.repeat} | ${problem} | ${esc(f.detail)} |`);
    }
  }

  const decided = c.metrics.filter((m) => m.verdict === 'regression' || m.verdict === 'improved');
  if (decided.length > 0) out.push('', '### Regressions and improvements', '', ...metricTable(decided));
  if (c.counts.noise > 0) {
    out.push(
      '',
      `${c.counts.noise} figure(s) moved beyond the threshold but count as noise (the repeats overlap` +
        `${c.options.mode === 'both' ? ', or absolute and relative comparisons disagree' : ''}): see all comparisons below.`,
    );
  }

  const cellLists: string[] = [];
  if (c.added.length > 0)
    cellLists.push(`- Added (only in current): ${c.added.map((x) => esc(x.label)).join(', ')}`);
  if (c.removed.length > 0)
    cellLists.push(`- Removed (only in baseline): ${c.removed.map((x) => esc(x.label)).join(', ')}`);
  for (const u of c.unmeasured) {
    cellLists.push(
      `- Not compared, no measured repeat on one side: ${esc(u.label)} (baseline ${u.baseline}; current ${u.current})`,
    );
  }
  if (cellLists.length > 0) out.push('', '### Cells not compared', '', ...cellLists);

  const notes: string[] = c.warnings.map((w) => `- ⚠️ ${esc(w)}`);
  for (const s of c.correctness.statusChanges) {
    notes.push(`- Status changed: ${esc(s.label)}: ${s.baseline} → ${s.current}`);
  }
  for (const u of c.correctness.expectedUnsafe) {
    notes.push(
      `- ${esc(u.label)}: up to ${u.maxViolations} violation(s) in ${u.unsafeRepeats} of ${u.repeats} repeat(s); ` +
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
  const extra = [
    n.improved > 0 ? `${n.improved} improved` : null,
    n.noise > 0 ? `${n.noise} within noise` : null,
    c.added.length + c.removed.length > 0
      ? `${c.added.length} added, ${c.removed.length} removed cell(s)`
      : null,
  ].filter((x) => x !== null);
  const tail = extra.length > 0 ? ` (${extra.join(', ')})` : '';
  if (!c.failed) {
    return `✅ **PASS**: no regression beyond the thresholds and no correctness failure in ${c.metrics.length} comparisons${tail}.`;
  }
  const why = [
    n.regression > 0 ? `${n.regression} regression(s)` : null,
    c.correctness.failures.length > 0 ? `${c.correctness.failures.length} correctness failure(s)` : null,
  ].filter((x) => x !== null);
  return `❌ **FAIL**: ${why.join(', ')}${tail}.`;
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

function referenceText(c: Comparison): string {
  const preferred = c.options.reference;
  if (c.references.length === 0) return `preferred ${preferred}; none measured in both runs`;
  if (c.references.every((r) => r.chosenBy === 'requested')) return preferred;
  return `${preferred} where measured, else the best baseline goodput of the group; see "vs reference"`;
}

function runsTable(c: Comparison): string {
  const row = (name: string, r: RunSummary) =>
    `| ${name} | ${esc(r.runId)}${r.interrupted ? ' (interrupted)' : ''} | ${r.gitSha ? r.gitSha.slice(0, 7) : '—'} | ` +
    `${r.startedAt} | ${esc(r.cpuModel)} ×${r.cpuCount} | ${esc(r.databases.join('; ')) || '—'} |`;
  return [
    '| | run | commit | started | CPU | databases |',
    '| --- | --- | --- | --- | --- | --- |',
    row('baseline', c.baseline),
    row('current', c.current),
  ].join('\n');
}

function metricTable(rows: readonly ComparedMetric[]): string[] {
  const lines = [
    '| cell | metric | baseline | current | ratio | vs reference | verdict |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const m of rows) {
    lines.push(
      `| ${esc(m.label)} | ${metricText(m.metric)} | ${fmtSpread(m.absolute.baseline, m.metric)} | ` +
        `${fmtSpread(m.absolute.current, m.metric)} | ${fmtRatio(m.absolute.ratio)} | ${relativeText(m)} | ${fmtVerdict(m.verdict)} |`,
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
  return `÷${esc(r.reference)}: ${fmtRel(r.baseline.median)} → ${fmtRel(r.current.median)} (${fmtRatio(r.ratio)}, ${r.verdict})`;
}

function rules(c: Comparison): string[] {
  const floors = METRIC_NAMES.map((m) => `${METRICS[m].label} ${METRICS[m].floor} ${METRICS[m].unit}`).join(
    ', ',
  );
  return [
    '- Repeats of a cell are grouped by key; each figure is summarised by its median and range [min, max].',
    '- Figures: goodput (bigger is better), p99 latency of all responses (smaller is better), extra attempts per success (smaller is better).',
    `- change = (current median − baseline median) / max(baseline median, floor); floors: ${floors}. ` +
      'So extra attempts 0.001 → 0.002 is a 2% change, not 100%.',
    '- **ok**: the change is within the threshold. **regression** / **improved**: beyond the threshold and the ranges ' +
      'of the repeats do not overlap (with a single repeat on either side, the threshold alone decides). ' +
      '**noise**: beyond the threshold but the ranges overlap' +
      (c.options.mode === 'both' ? ', or the absolute and relative comparisons disagree.' : '.'),
    '- Relative: goodput and p99 are divided by the reference strategy of the same run, database, workload, profile and ' +
      `load level (repeats paired by repeat number); reference ${c.options.reference} when present, else the best baseline goodput. ` +
      'Extra attempts per success is a per-operation ratio already and is compared as measured.',
    '- In relative and both modes the reference cell cannot be judged against itself: its moves show as noise, with a warning ' +
      'when it alone lost goodput.',
    '- Correctness: in the current run, a strategy that claims safety with violations (or status unsafe) fails the comparison ' +
      'whatever its speed; so does a cell that failed where the baseline did not. Strategies that do not claim safety (naive) are noted only.',
    '- Exit 1 on any regression or correctness failure; cells only on one side are listed, never a failure.',
  ];
}

function esc(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function fmtVerdict(v: Verdict): string {
  return v === 'regression' ? '❌ **regression**' : v === 'improved' ? '✅ improved' : v;
}

function fmtPct(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

function fmtRatio(ratio: number | null): string {
  return ratio === null ? '—' : `×${ratio.toFixed(2)}`;
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

function fmtSpread(s: Spread, metric: MetricName): string {
  if (s.n < 2 || s.min === s.max) return fmtValue(s.median, metric);
  return `${fmtValue(s.median, metric)} (${fmtValue(s.min, metric)}–${fmtValue(s.max, metric)})`;
}
