/**
 * The decision report: what a team choosing a locking strategy reads in a design review.
 * Verdicts first, then the observations, the tables behind them, and how to reproduce the run.
 */
import type { RunResult } from '../core/result-schema.ts';
import { abBlocks } from './ab-section.ts';
import type { RenderedChart } from './chart-spec.ts';
import { conditionsBlocks } from './conditions-section.ts';
import { detailBlocks } from './details-section.ts';
import type { Block } from './document.ts';
import { cell, code, strong, t, withCode } from './document.ts';
import { environmentBlocks } from './environment-section.ts';
import { fmtCount, joinWords, plural } from './format.ts';
import { glanceBlocks } from './glance-section.ts';
import type { Group } from './groups.ts';
import { groupCells, groupTitle, productLabel } from './groups.ts';
import type { Observation } from './observations.ts';
import { FINDINGS, observe } from './observations.ts';
import { verdictBlocks } from './verdict-section.ts';

function duration(fromIso: string, toIso: string): string {
  const sec = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

function summaryBlocks(result: RunResult, groups: readonly Group[]): Block[] {
  const measured = result.cells.filter((c) => c.metrics !== null).length;
  const strategies = new Set(result.cells.map((c) => c.strategy)).size;
  const workloads = [...new Set(result.cells.map((c) => c.workload))];
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `Lockbench report: ${result.runId}` },
    {
      kind: 'paragraph',
      text: t(
        `${fmtCount(result.cells.length)} cells (${fmtCount(measured)} measured): ${plural(strategies, 'strategy', 'strategies')} on ${joinWords(workloads)} against ${joinWords(result.databases.map((d) => `${d.id} (${productLabel(d)})`))}, ${duration(result.startedAt, result.finishedAt)} starting ${result.startedAt}.`,
      ),
    },
  ];
  if (result.interrupted) {
    blocks.push({
      kind: 'paragraph',
      text: t(
        strong('Interrupted run.'),
        ' Only the cells that finished are here; the comparison is incomplete.',
      ),
      tone: 'warning',
    });
  }
  blocks.push({
    kind: 'paragraph',
    text: t(
      strong('How to read it.'),
      ' Goodput is successful business operations per second; a strategy can win only if the checks after the run found every invariant intact (no lost update, no oversold or double-booked seat, money conserved). ',
      'Retry cost is the extra attempts the server made per success. Goodput and p99 show ± half their 95% confidence interval where they have one; a strategy is called best only when its interval overlaps no other, otherwise the report says tie. Other figures measured over repeats show the median and, in parentheses, the min–max. ',
      'Absolute figures depend on the machine; compare strategies within one run.',
    ),
    tone: 'note',
  });
  blocks.push(...glanceBlocks(groups));
  blocks.push(...conditionsBlocks(result, groups));
  blocks.push({
    kind: 'toc',
    items: [
      ...(groups.length > 0 ? [{ id: 'conditions', text: 'Test conditions' }] : []),
      {
        id: 'verdicts',
        text: 'Verdicts',
        children: groups.map((g) => ({ id: `verdict-${g.id}`, text: groupTitle(g) })),
      },
      { id: 'observations', text: 'Observations' },
      {
        id: 'details',
        text: 'Details and charts',
        children: groups.map((g) => ({ id: `details-${g.id}`, text: groupTitle(g) })),
      },
      { id: 'environment', text: 'Environment and configuration' },
      { id: 'reproduce', text: 'How to reproduce' },
    ],
  });
  return blocks;
}

/**
 * Run-wide findings as lines of their own, then one table row per occurrence (finding, where, its
 * figures) and what each kind of finding means, once however often it occurs.
 */
function observationBlocks(observations: readonly Observation[]): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Observations', id: 'observations' }];
  if (observations.length === 0) {
    blocks.push({
      kind: 'paragraph',
      text: t(
        'Nothing in this run calls for a remark: no retry storm, deadlock, pool saturation, database quirk or overloaded load generator showed in the figures.',
      ),
    });
    return blocks;
  }
  const runWide = observations.filter((o) => o.where === null);
  const located = observations.filter((o) => o.where !== null);
  if (runWide.length > 0) {
    blocks.push({
      kind: 'list',
      tone: 'warning',
      items: runWide.map((o) => {
        const f = FINDINGS[o.kind];
        return [strong(`${f.title}.`), ' ', ...withCode(`${o.figures} ${f.explanation}`)];
      }),
    });
  }
  if (located.length > 0) {
    blocks.push({
      kind: 'table',
      head: ['Finding', 'Where', 'Figures'],
      numeric: [false, false, false],
      rows: located.map((o) => [
        cell(FINDINGS[o.kind].title),
        cell(o.where ?? ''),
        { text: withCode(o.figures) },
      ]),
      wrap: true,
    });
    const kinds = [...new Set(located.map((o) => o.kind))];
    blocks.push({ kind: 'paragraph', text: t(strong('What these mean.')) });
    blocks.push({
      kind: 'list',
      items: kinds.map((k) => [strong(`${FINDINGS[k].title}.`), ' ', ...withCode(FINDINGS[k].explanation)]),
    });
  }
  return blocks;
}

/** The whole decision report as blocks; `charts` are the rendered charts to embed (may be empty). */
export function buildReport(result: RunResult, charts: readonly RenderedChart[]): Block[] {
  const groups = groupCells(result);
  const blocks: Block[] = [...summaryBlocks(result, groups)];
  blocks.push(...abBlocks(result, charts));
  blocks.push({ kind: 'heading', level: 2, text: 'Verdicts', id: 'verdicts' });
  if (groups.length === 0) blocks.push({ kind: 'paragraph', text: t('The run holds no cells.') });
  for (const g of groups) blocks.push(...verdictBlocks(g));
  blocks.push(...observationBlocks(observe(result, groups)));
  blocks.push({ kind: 'heading', level: 2, text: 'Details and charts', id: 'details' });
  for (const g of groups) blocks.push(...detailBlocks(g, charts));
  blocks.push(...environmentBlocks(result));
  blocks.push({ kind: 'heading', level: 2, text: 'How to reproduce', id: 'reproduce' });
  blocks.push({
    kind: 'paragraph',
    text: t('Run the same matrix again (passwords are not recorded; supply them again):'),
  });
  // Verbatim and whole: the command is the one thing a reader copies.
  blocks.push({ kind: 'code', text: result.command, wrap: true });
  blocks.push({
    kind: 'paragraph',
    text: t(
      'Re-render these reports from the run directory alone: ',
      code('npm run report -- <run dir>'),
      '.',
    ),
  });
  return blocks;
}
