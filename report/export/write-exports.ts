import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../../core/result-schema.ts';
import { toBencherMetricFormat } from './bencher.ts';
import { toGithubActionBenchmark } from './github-action-benchmark.ts';

/** File names written next to run.json. */
export const EXPORT_FILES = {
  /** github-action-benchmark, `tool: customBiggerIsBetter`. */
  bigger: 'bench-bigger.json',
  /** github-action-benchmark, `tool: customSmallerIsBetter`. */
  smaller: 'bench-smaller.json',
  /** Bencher: `bencher run --adapter json --file bencher.json`. */
  bencher: 'bencher.json',
} as const;

/** Writes the three export files into `dir` (which must exist); returns their paths. */
export async function writeExports(
  result: RunResult,
  dir: string,
): Promise<Record<keyof typeof EXPORT_FILES, string>> {
  const gab = toGithubActionBenchmark(result);
  const contents: Record<keyof typeof EXPORT_FILES, unknown> = {
    bigger: gab.bigger,
    smaller: gab.smaller,
    bencher: toBencherMetricFormat(result),
  };
  const paths = {} as Record<keyof typeof EXPORT_FILES, string>;
  for (const [which, file] of Object.entries(EXPORT_FILES) as [keyof typeof EXPORT_FILES, string][]) {
    paths[which] = join(dir, file);
    await writeFile(paths[which], `${JSON.stringify(contents[which], null, 2)}\n`);
  }
  return paths;
}
