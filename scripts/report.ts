import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../bench/write-atomic.ts';
import { isLockbenchError, LockbenchError } from '../core/errors.ts';
import { loadRunResult, resolveRunFile } from '../report/load-result.ts';
import { renderCharts } from '../report/render-charts.ts';
import type { ReportFormat } from '../report/renderers.ts';
import { RENDERERS, REPORT_FORMATS, usesCharts } from '../report/renderers.ts';
import { writeReports } from '../report/write-reports.ts';
import { isEntry } from './is-entry.ts';

export { loadRunResult } from '../report/load-result.ts';
export type { Renderer, ReportFormat } from '../report/renderers.ts';
export { RENDERERS } from '../report/renderers.ts';
export { writeReports } from '../report/write-reports.ts';

const USAGE = `usage: npm run report -- <run.json|run dir> [--format md|html|json] [--out <file>]

  (no options)      write report.md, report.html and chart-*.svg beside run.json
  --format <fmt>    print one format to stdout (md, html or json)
  --out <file>      write to <file> instead (format from --format or the extension)
  -h, --help        show this help`;

export interface ReportArgs {
  target: string;
  format: ReportFormat | null;
  out: string | null;
}

const EXTENSIONS: Record<string, ReportFormat> = {
  '.md': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.json': 'json',
};

function isFormat(s: string): s is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(s);
}

/** Parses the command line; null means --help. Bad arguments are LOCKBENCH_USAGE. */
export function parseReportArgs(argv: readonly string[]): ReportArgs | null {
  let values: { format?: string; out?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f' },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new LockbenchError('LOCKBENCH_USAGE', `${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
  }
  if (values.help) return null;
  if (positionals.length !== 1) {
    throw new LockbenchError(
      'LOCKBENCH_USAGE',
      `expected one run.json or run directory, got ${positionals.length}\n\n${USAGE}`,
    );
  }
  let format: ReportFormat | null = null;
  if (values.format !== undefined) {
    if (!isFormat(values.format)) {
      throw new LockbenchError(
        'LOCKBENCH_USAGE',
        `--format must be one of ${REPORT_FORMATS.join(', ')}, got "${values.format}"`,
      );
    }
    format = values.format;
  }
  const out = values.out ?? null;
  if (out !== null && format === null) {
    format = EXTENSIONS[path.extname(out).toLowerCase()] ?? null;
    if (format === null) {
      throw new LockbenchError(
        'LOCKBENCH_USAGE',
        `cannot tell the format of --out ${out}: add --format md|html|json`,
      );
    }
  }
  return { target: positionals[0] as string, format, out };
}

/** Runs the command; returns the process exit code. Output goes to the given streams. */
export async function main(
  argv: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
): Promise<number> {
  try {
    const args = parseReportArgs(argv);
    if (args === null) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const file = await resolveRunFile(args.target);
    const result = await loadRunResult(file);
    if (args.format === null) {
      const written = await writeReports(result, path.dirname(file));
      io.stdout.write(`${written.map((w) => path.relative(process.cwd(), w) || w).join('\n')}\n`);
      return 0;
    }
    const charts = usesCharts(args.format) ? await renderCharts(result) : [];
    const text = RENDERERS[args.format](result, charts);
    if (args.out === null) {
      io.stdout.write(text);
      return 0;
    }
    await writeFileAtomic(args.out, text);
    if (args.format === 'md') {
      for (const c of charts) {
        if (c.svg !== null) await writeFileAtomic(path.join(path.dirname(args.out), c.file), `${c.svg}\n`);
      }
    }
    io.stdout.write(`${args.out}\n`);
    return 0;
  } catch (e) {
    if (isLockbenchError(e)) {
      io.stderr.write(`error ${e.code}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

if (isEntry(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
