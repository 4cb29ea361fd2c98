import { EventEmitter } from 'node:events';
import { makeAbPlan, runAb } from './ab/run-ab.ts';
import { writeArtifacts } from './artifacts.ts';
import { parseCommandLine } from './cli-args.ts';
import { abPlanText, attachAbConsole, attachConsole, planText, summaryText } from './console.ts';
import { stopAll } from './databases/lifecycle.ts';
import { isLockbenchError } from './errors.ts';
import { helpText, listText } from './help.ts';
import { makePlan, type RunEvents, runBench } from './orchestrator.ts';

async function main(argv: string[]): Promise<number> {
  const command = parseCommandLine(argv);
  if (command.kind === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (command.kind === 'list') {
    process.stdout.write(`${listText()}\n`);
    return 0;
  }
  const { config, ab } = command;
  const abPlan = ab ? makeAbPlan(ab) : null;
  const plan = abPlan ? abPlan.sides[1] : makePlan(config);
  // With --json, stdout carries only run.json.
  const human = config.json ? process.stderr : process.stdout;
  if (command.planOnly) {
    human.write(ab && abPlan ? abPlanText(abPlan, ab) : planText(plan, config));
    return 0;
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(
        `\n${signal}: stopping the current cell, then writing what finished (again to quit at once)\n`,
      );
      controller.abort();
    } else {
      // The 'exit' hook in bench/databases/lifecycle.ts still kills throwaway servers synchronously.
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const events = new EventEmitter<RunEvents>();
  const detachPlain = attachConsole(events, { out: process.stderr, config, ab: abPlan !== null });
  const detachAb =
    ab && abPlan ? attachAbConsole(events, { out: process.stderr, plan: abPlan, ab }) : () => {};
  const detach = () => {
    detachPlain();
    detachAb();
  };
  try {
    const outcome =
      ab && abPlan
        ? await runAb({ ab, events, signal: controller.signal, writeArtifacts }, abPlan)
        : await runBench({ config, events, signal: controller.signal, writeArtifacts }, plan);
    detach();
    if (config.json) process.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
    else human.write(summaryText(outcome.result, outcome.dir));
    return outcome.exitCode;
  } finally {
    detach();
    await stopAll();
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
