/**
 * The verdict of each comparison: the best correct strategy and the runner-up at each load level,
 * where the lead changes along a sweep, and what was disqualified or could not run, in words.
 */
import type { Cell } from '../../bench/result-schema.ts';
import type { Block, Inline, TableCell, Text } from './document.ts';
import { cell, DASH, figCell, strong, t } from './document.ts';
import { fmtFigure, fmtMs, fmtPercent, fmtRate, fmtRatio, joinWords } from './format.ts';
import type { Group, Row } from './groups.ts';
import { groupTitle, levelLabel, levelUnit } from './groups.ts';
import { describeSweep, sweepRanking } from './ranking.ts';
import type { Candidate, LevelVerdict } from './verdict.ts';
import { CLOSE_SHARE, groupVerdicts } from './verdict.ts';
import { describeViolations, shortViolation } from './violations.ts';

function retryCost(c: Candidate): string {
  const f = c.figures;
  const retried =
    f.retriedShare.median > 0 ? `, ${fmtPercent(f.retriedShare.median)} of operations retried` : '';
  return `${fmtFigure(f.extraAttemptsPerSuccess, fmtRatio)} extra attempts per success${retried}`;
}

function goodputWords(c: Candidate): string {
  const g = c.figures.goodput;
  const spread = g.n > 1 ? ` (median of ${g.n}, ${fmtRate(g.min)}–${fmtRate(g.max)})` : '';
  return `${fmtRate(g.median)} ok/s${spread}`;
}

function separationWords(v: LevelVerdict): string {
  if (v.separation === 'overlap') {
    return ' The two overlap within the spread of their repeats: treat them as equal on throughput and decide on latency, retries and how the code reads.';
  }
  if (v.separation === 'close') {
    return ` The two are less than ${CLOSE_SHARE * 100}% apart in a single run each, which a shared machine does not separate: repeat the run before choosing between them.`;
  }
  return '';
}

function verdictText(group: Group, v: LevelVerdict, withLevel: boolean): Text {
  const at = withLevel ? ` at ${levelLabel(group.levelKind, v.level)}` : '';
  if (!v.best) {
    return t(
      `No strategy${at} both ran and kept the invariants, so there is no recommendation here; see what was disqualified or not run below.`,
    );
  }
  const best = v.best;
  const parts: Inline[] = [
    strong(best.row.strategy),
    ` is the best correct strategy${at}: ${goodputWords(best)}, p99 ${fmtFigure(best.figures.p99, fmtMs, ' ms')}, ${retryCost(best)}.`,
  ];
  if (v.runnerUp) {
    const r = v.runnerUp;
    const less =
      best.figures.goodput.median > 0 ? 1 - r.figures.goodput.median / best.figures.goodput.median : 0;
    parts.push(
      ' Runner-up: ',
      strong(r.row.strategy),
      ` with ${fmtPercent(less)} less goodput, ${goodputWords(r)}, p99 ${fmtFigure(r.figures.p99, fmtMs, ' ms')}, ${retryCost(r)}.`,
      separationWords(v),
    );
  } else {
    parts.push(' No other correct strategy ran to compare it with.');
  }
  return parts;
}

function repeatsNote(row: Row): string {
  const c = row.correctness;
  return c.measuredRepeats > 1
    ? `; it did so in ${c.violatedRepeats} of ${c.measuredRepeats} repeats (the worst is shown)`
    : '';
}

function disqualifiedItem(group: Group, row: Row, withLevel: boolean): Text {
  const words = row.correctness.worst ? describeViolations(row.correctness.worst, group.workload) : [];
  const what = words.length > 0 ? joinWords(words) : 'broke an invariant';
  const at = withLevel ? ` at ${levelLabel(group.levelKind, row.level)}` : '';
  const claim = row.correctness.claimsSafe
    ? ' It claims to keep these invariants: this is a bug to investigate, see the observations.'
    : ' It makes no claim to protect this workload; this is the failure the safe strategies prevent.';
  const goodput = row.figures ? ` Its ${fmtRate(row.figures.goodput.median)} ok/s do not count.` : '';
  return t(strong(row.strategy), `${at} ${what}${repeatsNote(row)}.${goodput}${claim}`);
}

function notRunItem(group: Group, row: Row, withLevel: boolean): Text {
  const at = withLevel ? ` at ${levelLabel(group.levelKind, row.level)}` : '';
  const first = row.notRun[0] as Cell;
  const status = first.status === 'unsupported' ? 'not supported here' : 'failed';
  const reason = first.reason ? `: ${first.reason}` : '';
  return t(strong(row.strategy), `${at} ${status}${reason}.`);
}

function uncheckedItem(group: Group, row: Row, withLevel: boolean): Text {
  const at = withLevel ? ` at ${levelLabel(group.levelKind, row.level)}` : '';
  return t(
    strong(row.strategy),
    `${at} ran (${fmtRate(row.figures?.goodput.median ?? 0)} ok/s) but its correctness was not checked, so it cannot be recommended from this run.`,
  );
}

export function verdictBlocks(group: Group): Block[] {
  const verdicts = groupVerdicts(group);
  const sweep = group.levels.length > 1;
  const blocks: Block[] = [{ kind: 'heading', level: 3, text: groupTitle(group), id: `verdict-${group.id}` }];
  if (!sweep) {
    blocks.push({
      kind: 'paragraph',
      text: verdictText(group, verdicts[0] as LevelVerdict, true),
      tone: 'verdict',
    });
  } else {
    blocks.push({
      kind: 'table',
      head: [
        levelUnit(group.levelKind),
        'best correct strategy',
        'goodput ok/s',
        'p99 ms',
        'extra attempts / success',
        'runner-up',
      ],
      numeric: [true, false, true, true, true, false],
      rows: verdicts.map((v) => [
        cell(String(v.level), true),
        { text: v.best ? [strong(v.best.row.strategy)] : ['none'] },
        v.best ? figCell(v.best.figures.goodput, fmtRate) : cell(DASH, true),
        v.best ? figCell(v.best.figures.p99, fmtMs) : cell(DASH, true),
        v.best ? figCell(v.best.figures.extraAttemptsPerSuccess, fmtRatio) : cell(DASH, true),
        cell(
          v.runnerUp
            ? `${v.runnerUp.row.strategy} (${fmtRate(v.runnerUp.figures.goodput.median)} ok/s)`
            : DASH,
        ),
      ]),
    });
    for (const v of verdicts)
      blocks.push({ kind: 'paragraph', text: verdictText(group, v, true), tone: 'verdict' });
    const ranking = sweepRanking(group);
    if (ranking) {
      const compared =
        ranking.strategies.length < group.strategies.length
          ? ` Compared: ${joinWords(ranking.strategies)}, the strategies measured correct at every level.`
          : '';
      blocks.push({
        kind: 'paragraph',
        text: t(`${describeSweep(group, ranking)}${compared}`),
        tone: 'verdict',
      });
    }
  }
  const dq = verdicts.flatMap((v) => v.disqualified);
  if (dq.length > 0) {
    blocks.push({ kind: 'paragraph', text: t(strong('Disqualified'), ' (broke an invariant):') });
    blocks.push({ kind: 'list', items: dq.map((r) => disqualifiedItem(group, r, sweep)), tone: 'warning' });
  }
  const unchecked = verdicts.flatMap((v) => v.unchecked);
  if (unchecked.length > 0) {
    blocks.push({ kind: 'paragraph', text: t(strong('Not verified:')) });
    blocks.push({ kind: 'list', items: unchecked.map((r) => uncheckedItem(group, r, sweep)), tone: 'note' });
  }
  const notRun = verdicts.flatMap((v) => v.notRun);
  if (notRun.length > 0) {
    blocks.push({ kind: 'paragraph', text: t(strong('Not run:')) });
    blocks.push({ kind: 'list', items: notRun.map((r) => notRunItem(group, r, sweep)), tone: 'note' });
  }
  return blocks;
}

/** One row per comparison and load level: the answer first, the reasons further down. */
export function glanceBlocks(groups: readonly Group[]): Block[] {
  const rows: TableCell[][] = [];
  for (const g of groups) {
    for (const v of groupVerdicts(g)) {
      const dq = v.disqualified.map(
        (r) => `${r.strategy} (${r.correctness.worst ? shortViolation(r.correctness.worst) : 'unsafe'})`,
      );
      const notRun = v.notRun.map((r) => `${r.strategy} (${r.notRun[0]?.status ?? 'not run'})`);
      rows.push([
        cell(`${g.workload} · ${g.profile}`),
        cell(g.database),
        cell(levelLabel(g.levelKind, v.level)),
        { text: v.best ? [strong(v.best.row.strategy)] : ['none'] },
        v.best ? figCell(v.best.figures.goodput, fmtRate) : cell(DASH, true),
        cell(v.runnerUp ? v.runnerUp.row.strategy : DASH),
        cell(dq.length > 0 ? dq.join(', ') : DASH),
        cell(notRun.length > 0 ? notRun.join(', ') : DASH),
      ]);
    }
  }
  if (rows.length === 0) return [];
  return [
    { kind: 'heading', level: 2, text: 'At a glance', id: 'glance' },
    {
      kind: 'table',
      head: [
        'workload · profile',
        'database',
        'load',
        'best correct',
        'goodput ok/s',
        'runner-up',
        'disqualified',
        'not run',
      ],
      numeric: [false, false, false, false, true, false, false, false],
      rows,
    },
  ];
}
