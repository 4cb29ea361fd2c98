import { readFileSync } from 'node:fs';
import type { Cell, RunResult as RunResultType } from '../../bench/result-schema.ts';
import { RunResult } from '../../bench/result-schema.ts';

/** The hand-made run the report tests read (numbers invented to exercise the renderers). */
export const FIXTURE_PATH = new URL('../fixtures/run-small.json', import.meta.url);

export function loadFixture(): RunResultType {
  return RunResult.parse(JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')));
}

/** A deep copy of the fixture with `edit` applied to every cell that matches. */
export function variant(
  match: (c: Cell) => boolean,
  edit: (c: Cell & { metrics: NonNullable<Cell['metrics']> }) => void,
  base: RunResultType = loadFixture(),
): RunResultType {
  const copy = structuredClone(base);
  let hits = 0;
  for (const c of copy.cells) {
    if (match(c) && c.metrics) {
      edit(c as Cell & { metrics: NonNullable<Cell['metrics']> });
      hits++;
    }
  }
  if (hits === 0) throw new Error('variant matched no measured cell: the fixture changed');
  return RunResult.parse(copy);
}

export function cellOf(db: string, workload: string, strategy: string): (c: Cell) => boolean {
  return (c) => c.database === db && c.workload === workload && c.strategy === strategy;
}

type Checked = Cell & {
  metrics: NonNullable<Cell['metrics']>;
  correctness: NonNullable<Cell['correctness']>;
};

/** The measured and checked cell with this key and repeat; throws when the fixture lacks it. */
export function measuredCell(result: RunResultType, key: string, repeat = 0): Checked {
  const c = result.cells.find((x) => x.key === key && x.repeat === repeat);
  if (!c?.metrics || !c.correctness) throw new Error(`fixture has no measured cell ${key} #${repeat}`);
  return c as Checked;
}
