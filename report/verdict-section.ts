/**
 * The verdict of each comparison: who ranks first at each load level and how sure the run is
 * (clear, tie, no interval), the decision on throughput, tail latency and retries, where the lead
 * changes along a sweep, and what was disqualified or could not run, in words.
 */
import type { Cell } from '../core/result-schema.ts';
import type { Block, Inline, TableCell, Text } from './document.ts';
import { cell, code, DASH, em, figCell, strong, t } from './document.ts';
import {
  fmtChange,
  fmtFigure,
  fmtMs,
  fmtPercent,
  fmtPlusMinus,
  fmtRate,
  fmtRatio,
  joinWords,
} from './format.ts';
import type { Group, Row } from './groups.ts';
import { groupTitle, levelLabel, levelUnit } from './groups.ts';
import { qualityMark } from './quality-marks.ts';
import { describeSweep, sweepRanking } from './ranking.ts';
import type { Candidate, Confidence, LevelVerdict, Margin, Ranked, Ranking } from './verdict.ts';
import { CLOSE_SHARE, groupVerdicts } from './verdict.ts';
import { describeViolations, shortViolation } from './violations.ts';

/** "1,777 ± 60" with an interval, else the median (and spread over repeats). */
export function rankedFigure(r: Ranked, median: Parameters<typeof fmtFigure>[0], fmt: (n: number) => string) {
  return r.interval ? fmtPlusMinus(r.interval, fmt) : fmtFigure(median, fmt);
}

/** A numeric table cell for a ranked figure: "1,777 ± 60", or the median with its spread. */
export function rankedCell(r: Ranked, median: Parameters<typeof fmtFigure>[0], fmt: (n: number) => string) {
  return r.interval ? cell(fmtPlusMinus(r.interval, fmt), true) : figCell(median, fmt);
}

export const goodputText = (c: Candidate) => `${rankedFigure(c.goodput, c.figures.goodput, fmtRate)} ok/s`;
export const p99Text = (c: Candidate) => `${rankedFigure(c.p99, c.figures.p99, fmtMs)} ms`;

function retryCost(c: Candidate): string {
  const f = c.figures;
  const retried =
    f.retriedShare.median > 0 ? `, ${fmtPercent(f.retriedShare.median)} of operations retried` : '';
  return `${fmtFigure(f.extraAttemptsPerSuccess, fmtRatio)} extra attempts per success${retried}`;
}

/** The strategy's name in bold, with its quality marks. */
function name(c: Candidate | Row): Inline[] {
  const row = 'row' in c ? c.row : c;
  const mark = qualityMark(row);
  return mark ? [strong(row.strategy), mark] : [strong(row.strategy)];
}

function names(cs: readonly Candidate[], joiner: 'and' | 'or' = 'and'): Inline[] {
  const out: Inline[] = [];
  cs.forEach((c, i) => {
    if (i > 0) out.push(i === cs.length - 1 ? ` ${joiner} ` : ', ');
    out.push(...name(c));
  });
  return out;
}

function figures(c: Candidate): string {
  return `${goodputText(c)}, p99 ${p99Text(c)}, ${retryCost(c)}`;
}

/** What would separate strategies the run could not tell apart. */
const SEPARATE: Inline[] = [
  ' Longer cells (',
  code('--duration 30s'),
  ') or repeated ones (',
  code('--repeat 3'),
  ') narrow the intervals enough to separate them.',
];

/** "+38% (+20% to +58%)" or "+38%" without an interval. */
export function marginText(m: Margin): string {
  return m.low !== null && m.high !== null
    ? `${fmtChange(m.ratio)} (${fmtChange(m.low)} to ${fmtChange(m.high)})`
    : fmtChange(m.ratio);
}

export const CONFIDENCE_LABEL: Record<Confidence, string> = {
  clear: 'clear',
  tie: 'tie',
  'no-interval': 'no interval',
  'cannot-rank': 'no interval: cannot rank',
  alone: 'only one correct',
};

function verdictText(group: Group, v: LevelVerdict, withLevel: boolean): Text {
  const at = withLevel ? ` at ${levelLabel(group.levelKind, v.level)}` : '';
  const r = v.goodput;
  if (!r) {
    return t(
      `No strategy${at} both ran and kept the invariants, so there is no recommendation here; see what was disqualified or not run below.`,
    );
  }
  const lead = r.leader;
  const less = (c: Candidate) => (lead.goodput.value > 0 ? 1 - c.goodput.value / lead.goodput.value : 0);
  switch (r.confidence) {
    case 'alone':
      return t(
        ...name(lead),
        ` is the best correct strategy${at}: ${figures(lead)}. No other correct strategy ran to compare it with.`,
      );
    case 'clear': {
      const ru = r.runnerUp as Candidate;
      const m = v.margin ? `, a margin of ${marginText(v.margin)}` : '';
      return t(
        ...name(lead),
        ` is the best correct strategy${at}: ${figures(lead)}. Runner-up: `,
        ...name(ru),
        ` with ${fmtPercent(less(ru))} less goodput${m}: ${figures(ru)}. Their 95% goodput intervals do not overlap.`,
      );
    }
    case 'no-interval': {
      const ru = r.runnerUp as Candidate;
      const bare = [lead, ru].filter((c) => c.goodput.interval === null).map((c) => c.row.strategy);
      return t(
        ...name(lead),
        ` ranks first${at}: ${figures(lead)}. Runner-up: `,
        ...name(ru),
        ` with ${fmtPercent(less(ru))} less goodput: ${figures(ru)}. No interval: ${joinWords(bare)} ${bare.length === 1 ? 'has' : 'have'} none, so the order rests on point figures more than ${CLOSE_SHARE * 100}% apart.`,
      );
    }
    case 'tie': {
      const all = [lead, ...r.tied];
      const each: Inline[] = [];
      all.forEach((c, i) => {
        each.push(i === 0 ? '' : '; ', ...name(c), ` ${figures(c)}`);
      });
      return t(
        `Tie${at}: `,
        ...names(all),
        ` are not separated: their 95% goodput intervals overlap (`,
        ...each,
        '). Decide on p99, retries and how the code reads, or measure again.',
        ...SEPARATE,
      );
    }
    case 'cannot-rank': {
      const all = [lead, ...r.tied];
      const each: Inline[] = [];
      all.forEach((c, i) => {
        each.push(i === 0 ? '' : '; ', ...name(c), ` ${figures(c)}`);
      });
      return t(
        `No interval: cannot rank${at}: `,
        ...names(all),
        ` are less than ${CLOSE_SHARE * 100}% apart and their figures carry no interval, so this run does not say which is faster (`,
        ...each,
        ').',
        ...SEPARATE,
      );
    }
  }
}

/** The winner of one ranking in a few words: "atomic", "for-update or optimistic (tie)". */
function pick(r: Ranking, figure: (c: Candidate) => string): Inline[] {
  switch (r.confidence) {
    case 'clear':
    case 'alone':
      return [...name(r.leader), ` (${figure(r.leader)})`];
    case 'no-interval':
      return [...name(r.leader), ` (${figure(r.leader)}, no interval)`];
    case 'tie':
      return [...names([r.leader, ...r.tied], 'or'), ' (tie)'];
    case 'cannot-rank':
      return [...names([r.leader, ...r.tied], 'or'), ' (no interval: cannot rank)'];
  }
}

/**
 * The decision in one sentence: what wins on throughput, on tail latency without retries, and
 * what to use when the business rule does not fit one conditional UPDATE.
 */
function decisionText(group: Group, v: LevelVerdict, withLevel: boolean): Text | null {
  if (!v.goodput) return null;
  const at = withLevel ? ` at ${levelLabel(group.levelKind, v.level)}` : '';
  const parts: Inline[] = [
    strong(`Decision${at}:`),
    ' highest throughput: ',
    ...pick(v.goodput, goodputText),
  ];
  if (v.p99) {
    parts.push(
      v.p99.withoutRetries
        ? '; lowest p99 without retries: '
        : '; lowest p99 (every correct strategy retried): ',
      ...pick(v.p99, (c) => `p99 ${p99Text(c)}`),
    );
  }
  parts.push('; if one UPDATE cannot express your rule: ');
  if (v.withoutAtomic) parts.push(...pick(v.withoutAtomic, goodputText));
  else parts.push('no other correct strategy ran');
  parts.push('.');
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

/** The answer cell: "atomic", "tie: for-update, optimistic", "none". */
function recommendation(v: LevelVerdict): TableCell {
  const r = v.goodput;
  if (!r) return cell('none');
  const all = [r.leader, ...r.tied];
  const list: Inline[] = [];
  all.forEach((c, i) => {
    if (i > 0) list.push(', ');
    list.push(...name(c));
  });
  if (r.confidence === 'tie') return { text: ['tie: ', ...list] };
  if (r.confidence === 'cannot-rank') return { text: ['cannot rank: ', ...list] };
  return { text: name(r.leader) };
}

function marginCell(v: LevelVerdict): TableCell {
  const ru = v.goodput?.runnerUp;
  if (!v.margin || !ru) return cell(DASH);
  return { text: [`${marginText(v.margin)} over ${ru.row.strategy}${qualityMark(ru.row)}`] };
}

/** Leader's figures for a summary row: goodput, margin, p99, retries, confidence. */
function headlineCells(v: LevelVerdict): TableCell[] {
  const lead = v.goodput?.leader;
  if (!lead || !v.goodput)
    return [cell('none'), cell(DASH, true), cell(DASH), cell(DASH, true), cell(DASH, true), cell(DASH)];
  return [
    recommendation(v),
    rankedCell(lead.goodput, lead.figures.goodput, fmtRate),
    marginCell(v),
    rankedCell(lead.p99, lead.figures.p99, fmtMs),
    figCell(lead.figures.extraAttemptsPerSuccess, fmtRatio),
    cell(CONFIDENCE_LABEL[v.goodput.confidence]),
  ];
}

const HEADLINE_HEAD = [
  'recommendation',
  'goodput ok/s',
  'margin over runner-up',
  'p99 ms',
  'extra attempts / success',
  'confidence',
];
const HEADLINE_NUMERIC = [false, true, false, true, true, false];

export function verdictBlocks(group: Group): Block[] {
  const verdicts = groupVerdicts(group);
  const sweep = group.levels.length > 1;
  const blocks: Block[] = [{ kind: 'heading', level: 3, text: groupTitle(group), id: `verdict-${group.id}` }];
  if (sweep) {
    blocks.push({
      kind: 'table',
      head: [levelUnit(group.levelKind), ...HEADLINE_HEAD],
      numeric: [true, ...HEADLINE_NUMERIC],
      rows: verdicts.map((v) => [cell(String(v.level), true), ...headlineCells(v)]),
    });
  }
  for (const v of verdicts) {
    blocks.push({ kind: 'paragraph', text: verdictText(group, v, true), tone: 'verdict' });
    const decision = decisionText(group, v, sweep);
    if (decision) blocks.push({ kind: 'paragraph', text: decision });
  }
  const ranking = sweep ? sweepRanking(group) : null;
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
export function glanceTable(groups: readonly Group[]): Block | null {
  const rows: TableCell[][] = [];
  for (const g of groups) {
    for (const v of groupVerdicts(g)) {
      const dq = v.disqualified.map(
        (r) => `${r.strategy} (${r.correctness.worst ? shortViolation(r.correctness.worst) : 'unsafe'})`,
      );
      const notRun = v.notRun.map((r) => `${r.strategy} (${r.notRun[0]?.status ?? 'not run'})`);
      // One narrow first column, so the answer beside it stays on a phone's screen.
      rows.push([
        {
          text: [
            `${g.workload} · ${g.profile}`,
            ' ',
            em(`${g.database} · ${levelLabel(g.levelKind, v.level)}`),
          ],
        },
        ...headlineCells(v),
        cell(dq.length > 0 ? dq.join(', ') : DASH),
        cell(notRun.length > 0 ? notRun.join(', ') : DASH),
      ]);
    }
  }
  if (rows.length === 0) return null;
  return {
    kind: 'table',
    head: ['comparison', ...HEADLINE_HEAD, 'disqualified', 'not run'],
    numeric: [false, ...HEADLINE_NUMERIC, false, false],
    rows,
  };
}
