import type { RunResult } from '../core/result-schema.ts';
import { writeExports } from '../report/export/index.ts';
import { writeReports } from '../report/write-reports.ts';

/** Everything written next to run.json: the reports (md, html, charts) and the CI exports. */
export async function writeArtifacts(result: RunResult, dir: string): Promise<string[]> {
  const reports = await writeReports(result, dir);
  const exports = await writeExports(result, dir);
  return [...reports, ...Object.values(exports)];
}
