import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../bench/write-atomic.ts';
import type { RunResult } from '../core/result-schema.ts';
import { abSummaryBlocks } from './ab-section.ts';
import { blocksToMarkdown } from './markdown.ts';
import { renderCharts } from './render-charts.ts';
import { RENDERERS } from './renderers.ts';

/** Chart files this module writes; anything else in the directory is left alone. */
const CHART_FILE = /^chart-[a-z0-9-]+\.svg$/;

/**
 * Renders report.md, report.html and the chart SVGs for a run into `dir` (normally beside its
 * run.json) and returns the paths written. Chart files from an earlier rendering that the new
 * one no longer has are removed, so the directory always matches its report.
 */
export async function writeReports(result: RunResult, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const charts = await renderCharts(result);
  const written: string[] = [];
  for (const c of charts) {
    if (c.svg === null) continue;
    const file = path.join(dir, c.file);
    await writeFileAtomic(file, `${c.svg}\n`);
    written.push(file);
  }
  const keep = new Set(charts.filter((c) => c.svg !== null).map((c) => c.file));
  for (const name of await readdir(dir)) {
    if (CHART_FILE.test(name) && !keep.has(name)) await rm(path.join(dir, name), { force: true });
  }
  for (const [name, format] of [
    ['report.md', 'md'],
    ['report.html', 'html'],
  ] as const) {
    const file = path.join(dir, name);
    await writeFileAtomic(file, RENDERERS[format](result, charts));
    written.push(file);
  }
  if (result.ab) {
    // The A/B section alone: what CI posts as the pull-request comment.
    const file = path.join(dir, 'ab.md');
    await writeFileAtomic(file, blocksToMarkdown(abSummaryBlocks(result)));
    written.push(file);
  }
  return written;
}
