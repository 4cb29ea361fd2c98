/**
 * Micro-benchmarks of the load drivers' per-request hot paths (`npm run bench:micro`): key choice
 * per profile, request building, opId generation, histogram recording, the recorder's start/end
 * cycle, response classification. Each task runs a batch of BATCH calls so the timer's own cost
 * (tens of ns) does not swamp calls that take a few ns. Prints ns per call and calls per second.
 */
import { Bench } from 'tinybench';
import { classifyResponse } from '../bench/load/classify.ts';
import { latencyHistogram, recordMs } from '../bench/load/histogram.ts';
import { createKeyChooser, type KeySpec } from '../bench/load/keys.ts';
import { opIdGenerator } from '../bench/load/op-id.ts';
import { Random } from '../bench/load/random.ts';
import { Recorder } from '../bench/load/recorder.ts';
import { createRequestBuilder } from '../bench/load/request-builder.ts';

const BATCH = 1000;
const bench = new Bench({ name: 'load hot paths', time: 400, warmupTime: 100 });
// Results go here so the JIT cannot drop the work.
let sink = 0;

const keySpecs: [string, KeySpec, number][] = [
  ['keys hot', { kind: 'hot' }, 1000],
  ['keys uniform (1000)', { kind: 'uniform' }, 1000],
  ['keys hot-set (1000)', { kind: 'hot-set', size: 8, share: 0.9 }, 1000],
  ['keys zipf 0.99 (1000)', { kind: 'zipf', theta: 0.99 }, 1000],
  ['keys zipf 0.99 (1,000,000)', { kind: 'zipf', theta: 0.99 }, 1_000_000],
];
for (const [name, spec, n] of keySpecs) {
  const keys = createKeyChooser(spec, n, new Random(1, 'keys'));
  bench.add(name, () => {
    for (let i = 0; i < BATCH; i++) sink += keys.next();
  });
}

for (const workload of ['account', 'transfer', 'tickets'] as const) {
  const b = createRequestBuilder({
    workload,
    keys: { kind: 'zipf', theta: 0.99 },
    seed: 1,
    sizes: { accounts: 1000, events: 10 },
    opIdPrefix: 'micro',
  });
  bench.add(`request ${workload} (zipf keys, body, opId)`, () => {
    for (let i = 0; i < BATCH; i++) sink += (b.next().body as string).length;
  });
}

const nextOpId = opIdGenerator('run42h1');
bench.add('opId', () => {
  for (let i = 0; i < BATCH; i++) sink += nextOpId().length;
});

const hist = latencyHistogram();
const rng = new Random(2, 'ops');
bench.add('histogram record (µs)', () => {
  for (let i = 0; i < BATCH; i++) recordMs(hist, rng.float() * 50);
});

const recorder = new Recorder({ startMs: performance.now(), durationSec: 3600 });
const op = { kind: 'deposit' as const, opId: 'x-1', account: 1, amount: 100 };
bench.add('recorder start + respond', () => {
  for (let i = 0; i < BATCH; i++) {
    const now = performance.now();
    recorder.respond(recorder.start(op, now), i % 10 === 0 ? 'conflict' : 'ok', now + 1);
  }
});

bench.add('classify response', () => {
  for (let i = 0; i < BATCH; i++)
    sink += classifyResponse(i % 3 === 0 ? 409 : 200, i % 3 === 0 ? 'conflict' : 'ok').length;
});

await bench.run();

const rows = bench.tasks.map((t) => {
  const r = t.result;
  if (r.state !== 'completed') return { path: t.name, 'ns/call': r.state, 'calls/s': '' };
  const ns = (r.latency.mean * 1e6) / BATCH;
  return {
    path: t.name,
    'ns/call': ns.toFixed(1),
    'calls/s': Math.round(1e9 / ns).toLocaleString('en-US'),
    samples: r.latency.samplesCount,
  };
});
console.table(rows);
if (sink === Number.MIN_VALUE) console.log(sink);
