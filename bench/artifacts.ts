import { writeExports } from '../scripts/export/index.ts';
import { writeReports } from '../scripts/report/write-reports.ts';
import type { RunResult } from './result-schema.ts';

/** Everything written next to run.json: the reports (md, html, charts) and the CI exports. */
export async function writeArtifacts(result: RunResult, dir: string): Promise<string[]> {
  const reports = await writeReports(result, dir);
  const exports = await writeExports(result, dir);
  return [...reports, ...Object.values(exports)];
}
