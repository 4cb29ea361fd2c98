import { EventEmitter } from 'node:events';
import { isLockbenchError } from '../core/errors.ts';
import type { RunResult } from '../core/result-schema.ts';
import { parseCommandLine } from './cli-args.ts';
import type { BenchConfig } from './config.ts';
import { abPlanText, attachAbConsole, attachConsole, planText, summaryText } from './console.ts';
import { stopAll } from './databases/lifecycle.ts';
import { sweepStale } from './databases/server-dirs.ts';
import { helpText, listText } from './help.ts';
import { handleInterrupts } from './interrupt.ts';
import type { RunEvents } from './orchestrator.ts';
import { checkOutputDir, prepareOutputDir } from './output-dir.ts';
import { loadWorkloadFiles } from './workload-files.ts';

async function main(argv: string[]): Promise<number> {
  // Workload modules named by path are loaded and validated first, so the options parse once.
  const command = parseCommandLine(await loadWorkloadFiles(argv));
  // Any invocation that parsed stops servers a killed run may have left (their guardians normally
  // have, bench/databases/guardian.ts). Only directories lockbench marked are touched.
  sweepStale();
  if (command.kind === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (command.kind === 'list') {
    process.stdout.write(`${listText()}\n`);
    return 0;
  }
  const { config, ab } = command;
  // Before anything starts: a bad --out fails now, not after the measurements.
  if (command.planOnly) checkOutputDir(config.out);
  else prepareOutputDir(config.out);
  // Loaded only now: a usage error answers in a fraction of the time (the reports pull in vega).
  if (config.serverUrl) return runAgainstServers(config, command.planOnly);
  const { makePlan, runBench } = await import('./orchestrator.ts');
  const { makeAbPlan, runAb } = await import('./ab/run-ab.ts');
  const abPlan = ab ? makeAbPlan(ab) : null;
  const plan = abPlan ? abPlan.sides[1] : makePlan(config);
  // With --json, stdout carries only run.json.
  const human = config.json ? process.stderr : process.stdout;
  if (command.planOnly) {
    human.write(ab && abPlan ? abPlanText(abPlan, ab) : planText(plan, config));
    return 0;
  }

  const controller = new AbortController();
  handleInterrupts({
    onFirst: (signal) => {
      process.stderr.write(
        `\n${signal}: stopping the current cell, then writing what finished (again to quit at once)\n`,
      );
      controller.abort();
    },
    // The 'exit' hook in bench/databases/lifecycle.ts still kills throwaway servers synchronously.
    onRepeat: () => process.exit(130),
  });

  const events = new EventEmitter<RunEvents>();
  const detachPlain = attachConsole(events, { out: process.stderr, config, ab: abPlan !== null });
  const detachAb =
    ab && abPlan ? attachAbConsole(events, { out: process.stderr, plan: abPlan, ab }) : () => {};
  const detach = () => {
    detachPlain();
    detachAb();
  };
  try {
    const writeArtifacts = async (result: RunResult, dir: string) =>
      (await import('./artifacts.ts')).writeArtifacts(result, dir);
    const outcome =
      ab && abPlan
        ? await runAb({ ab, events, signal: controller.signal, writeArtifacts }, abPlan)
        : await runBench({ config, events, signal: controller.signal, writeArtifacts }, plan);
    detach();
    if (config.json) process.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
    else human.write(summaryText(outcome.result, outcome.dir));
    if (outcome.writeError)
      process.stderr.write(`lockbench: LOCKBENCH_OUTPUT_FAILED: ${outcome.writeError}\n`);
    return outcome.exitCode;
  } finally {
    detach();
    await stopAll();
  }
}

/** --server-url: drive servers that run elsewhere (one cell, or one segment of it); start nothing. */
async function runAgainstServers(config: BenchConfig, planOnly: boolean): Promise<number> {
  const { remoteCell, runRemote } = await import('./segment/run-remote.ts');
  const cell = remoteCell(config);
  const segment = config.segment ?? { index: 1, count: 1 };
  const human = config.json ? process.stderr : process.stdout;
  human.write(
    `Plan: ${cell.key}, segment ${segment.index}/${segment.count}, against ${config.serverUrl?.length} server(s) elsewhere${config.startAt === undefined ? '' : `, starting at ${new Date(config.startAt).toISOString()}`}\n`,
  );
  if (planOnly) return 0;
  const controller = new AbortController();
  handleInterrupts({
    onFirst: (signal) => {
      process.stderr.write(`\n${signal}: stopping the load\n`);
      controller.abort();
    },
    onRepeat: () => process.exit(130),
  });
  const events = new EventEmitter<RunEvents>();
  const detach = attachConsole(events, { out: process.stderr, config, ab: false });
  try {
    const writeArtifacts = async (result: RunResult, dir: string) =>
      (await import('./artifacts.ts')).writeArtifacts(result, dir);
    const outcome = await runRemote({ config, events, signal: controller.signal, writeArtifacts });
    detach();
    if (config.json) process.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
    else human.write(summaryText(outcome.result, outcome.dir));
    return outcome.exitCode;
  } finally {
    detach();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (isLockbenchError(e)) {
      process.stderr.write(`lockbench: ${e.code}: ${e.message}\n`);
      process.exit(e.exitCode);
    }
    process.stderr.write(`lockbench: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
