/** The tables and charts behind one comparison's verdict. */
import { BUILTIN_WORKLOADS } from '../workloads/registry.ts';
import type { RenderedChart } from './chart-spec.ts';
import type { Block, TableCell } from './document.ts';
import { cell, DASH, figCell, strong, t } from './document.ts';
import { fmtCount, fmtMs, fmtPercent, fmtRate, fmtRatio, joinWords } from './format.ts';
import type { Group, Row } from './groups.ts';
import { groupTitle, levelLabel, levelUnit } from './groups.ts';
import { qualityMark } from './quality-marks.ts';
import { figureOf } from './stats.ts';
import type { LevelVerdict } from './verdict.ts';
import { groupVerdicts } from './verdict.ts';
import { rankedCell } from './verdict-section.ts';
import { describeViolations } from './violations.ts';

function rowVerdictLabel(row: Row, v: LevelVerdict | undefined): string {
  if (row.figures === null) {
    const first = row.notRun[0];
    return first ? first.status : DASH;
  }
  if (row.correctness.state === 'violated') return '✗ broke invariants';
  if (row.correctness.state === 'unchecked') return 'not checked';
  const r = v?.goodput;
  if (!r) return 'correct';
  if (r.leader.row === row) {
    if (r.confidence === 'clear' || r.confidence === 'alone') return '✓ best';
    if (r.confidence === 'no-interval') return 'first (no interval)';
    return 'tied first';
  }
  if (r.tied.some((c) => c.row === row)) return 'tied first';
  if (r.runnerUp?.row === row) return 'runner-up';
  return 'correct';
}

export function detailBlocks(group: Group, charts: readonly RenderedChart[]): Block[] {
  const sweep = group.levels.length > 1;
  const verdicts = new Map(groupVerdicts(group).map((v) => [v.level, v]));
  const lead = (row: Row): TableCell[] => [
    { text: qualityMark(row) ? [strong(row.strategy), qualityMark(row)] : [strong(row.strategy)] },
    ...(sweep ? [cell(String(row.level), true)] : []),
  ];
  const leadHead = ['strategy', ...(sweep ? [levelUnit(group.levelKind)] : [])];
  const leadNumeric = [false, ...(sweep ? [true] : [])];
  const none = (n: number): TableCell[] => Array.from({ length: n }, () => cell(DASH, true));

  const blocks: Block[] = [{ kind: 'heading', level: 3, text: groupTitle(group), id: `details-${group.id}` }];
  const workloadWords = Object.hasOwn(BUILTIN_WORKLOADS, group.workload)
    ? BUILTIN_WORKLOADS[group.workload]?.description
    : undefined;
  const repeats = Math.max(...group.rows.map((r) => r.measured.length));
  // Repeats merged from their histograms: shown where a row has two or more that carry them.
  const merged = group.rows.some((r) => r.merged !== null && r.measured.length > 1);
  blocks.push({
    kind: 'paragraph',
    text: t(
      `Workload ${group.workload}${workloadWords ? ` (${workloadWords})` : ''}, profile ${group.profile}, ${group.model} model, ${
        sweep
          ? `${levelUnit(group.levelKind)} ${group.levels.join(', ')}`
          : levelLabel(group.levelKind, group.levels[0] as number)
      }. Goodput and p99 show ± half their 95% interval where they have one.${repeats > 1 ? " Other figures with repeats are the median, with the min–max over repeats in parentheses. Merged p99 is the p99 of every repeat's responses together (their histograms added), with the repeats' own p99s min–max in parentheses." : ''}`,
    ),
    tone: 'note',
  });

  blocks.push({ kind: 'heading', level: 4, text: 'Throughput, latency and retries' });
  blocks.push({
    kind: 'table',
    head: [
      ...leadHead,
      'goodput ok/s',
      'req/s',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      ...(merged ? ['merged p99 ms'] : []),
      'extra attempts / success',
      'retried',
      'repeats',
      'verdict',
    ],
    numeric: [
      ...leadNumeric,
      true,
      true,
      true,
      true,
      true,
      ...(merged ? [true] : []),
      true,
      true,
      true,
      false,
    ],
    rows: group.rows.map((row) => {
      const f = row.figures;
      const label = rowVerdictLabel(row, verdicts.get(row.level));
      if (!f) return [...lead(row), ...none(merged ? 9 : 8), cell(label)];
      return [
        ...lead(row),
        rankedCell({ value: f.goodput.median, interval: row.intervals.goodput }, f.goodput, fmtRate),
        figCell(f.requestsPerSec, fmtRate),
        figCell(f.p50, fmtMs),
        rankedCell({ value: f.p99.median, interval: row.intervals.p99 }, f.p99, fmtMs),
        figCell(f.p999, fmtMs),
        ...(merged ? [mergedP99Cell(row)] : []),
        figCell(f.extraAttemptsPerSuccess, fmtRatio),
        cell(fmtPercent(f.retriedShare.median), true),
        cell(String(row.measured.length), true),
        cell(label),
      ];
    }),
  });

  blocks.push({ kind: 'heading', level: 4, text: 'Outcomes and errors' });
  blocks.push({
    kind: 'paragraph',
    text: t(
      'Outcomes are per operation as the client saw them (sent = ok + rejected + conflict + error + timeout + in flight; rejected is a business refusal such as insufficient funds or sold out, conflict means retries ran out). Errors are per attempt, as the server classified them.',
    ),
    tone: 'note',
  });
  blocks.push({
    kind: 'table',
    head: [
      ...leadHead,
      'sent',
      'ok',
      'rejected',
      'conflict',
      'error',
      'timeout / in flight',
      'deadlock',
      'serialization',
      'lock not available',
      'lock timeout',
      'other error',
    ],
    numeric: [...leadNumeric, ...Array.from({ length: 11 }, () => true)],
    rows: group.rows.map((row) => {
      const f = row.figures;
      if (!f) return [...lead(row), ...none(11)];
      const o = f.outcomes;
      const indeterminate = figureOf(
        row.measured.map((m) => m.metrics.outcomes.timeout + m.metrics.outcomes.inFlight),
      );
      return [
        ...lead(row),
        ...[o.sent, o.ok, o.rejected, o.conflict, o.error, indeterminate].map((x) => figCell(x, fmtCount)),
        ...[
          f.errors.deadlock,
          f.errors.serialization,
          f.errors.lockNotAvailable,
          f.errors.lockTimeout,
          f.errors.other,
        ].map((x) => figCell(x, fmtCount)),
      ];
    }),
  });

  blocks.push({ kind: 'heading', level: 4, text: 'Correctness' });
  blocks.push({
    kind: 'table',
    head: [...leadHead, 'claims safe', 'violations', 'what broke', 'indeterminate ops', 'examples'],
    numeric: [...leadNumeric, false, true, false, true, false],
    rows: group.rows.map((row) => {
      const c = row.correctness;
      if (c.state === 'none')
        return [...lead(row), cell(DASH), cell(DASH, true), cell(DASH), cell(DASH, true), cell(DASH)];
      const checked = row.measured.map((m) => m.correctness).filter((x) => x?.checked);
      if (checked.length === 0 || !c.worst) {
        return [...lead(row), cell(DASH), cell('not checked'), cell(DASH), cell(DASH, true), cell(DASH)];
      }
      const violations = figureOf(checked.map((x) => x?.violations ?? 0));
      const indeterminate = figureOf(checked.map((x) => x?.indeterminate ?? 0));
      const words = describeViolations(c.worst, group.workload);
      const examples = c.worst.examples
        .slice(0, 2)
        .map((e) => `${e.kind} ${e.id}: expected ${e.expected ?? 'null'}, got ${e.actual ?? 'null'}`)
        .join('; ');
      return [
        ...lead(row),
        cell(c.claimsSafe ? 'yes' : 'no'),
        figCell(violations, fmtCount),
        cell(words.length > 0 ? joinWords(words) : 'nothing'),
        figCell(indeterminate, fmtCount),
        cell(examples || DASH),
      ];
    }),
  });

  const mine = charts.filter((c) => c.group === group.id);
  if (mine.length > 0) {
    blocks.push({ kind: 'heading', level: 4, text: 'Charts' });
    for (const c of mine) {
      blocks.push({
        kind: 'chart',
        file: c.file,
        title: c.title,
        alt: c.alt,
        svg: c.svg,
        panels: c.panels,
        error: c.error,
      });
    }
  }
  return blocks;
}

/** The merged p99 with the per-repeat spread: `12.4 (9.8–15.1)`; a dash where not mergeable. */
function mergedP99Cell(row: Row): TableCell {
  if (!row.merged || !row.figures) return cell(DASH, true);
  const spread = row.figures.p99;
  const value = fmtMs(row.merged.latencyMs.p99);
  return cell(spread.n > 1 ? `${value} (${fmtMs(spread.min)}–${fmtMs(spread.max)})` : value, true);
}
