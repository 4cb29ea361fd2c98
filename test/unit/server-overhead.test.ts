import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  bundleSources,
  renderComparison,
  renderSamples,
  type Sample,
  spread,
  summarizeProfile,
} from '../../scripts/server-overhead.ts';

const BUNDLE = '/work/x/node_modules/.cache/lockbench/server-abc.mjs';
const bundleUrl = pathToFileURL(BUNDLE).href;

/** A flat profile: root -> one child per frame; samples name frames, each lasting 100 µs. */
function profile(frames: { name: string; url: string; line?: number }[], samples: number[]) {
  return {
    startTime: 1_000_000,
    nodes: [
      {
        id: 1,
        callFrame: { functionName: '(root)', url: '', lineNumber: -1 },
        children: frames.map((_, i) => i + 2),
      },
      ...frames.map((f, i) => ({
        id: i + 2,
        callFrame: { functionName: f.name, url: f.url, lineNumber: f.line ?? 0 },
      })),
    ],
    samples: samples.map((i) => i + 2),
    timeDeltas: samples.map(() => 100),
  };
}

describe('server-overhead profile summary', () => {
  const frames = [
    { name: '(idle)', url: '' },
    { name: 'use', url: bundleUrl, line: 12 },
    { name: 'serialize', url: 'file:///w/node_modules/fastify/lib/reply.js' },
    { name: 'parse', url: 'file:///w/node_modules/@scope/pkg/index.js' },
    { name: 'emit', url: 'node:events' },
    { name: '(garbage collector)', url: '' },
  ];
  const source = bundleSources(['// bench/x.ts', 'a', '// strategies/pool.ts', 'b', 'c'].join('\n'));

  it('attributes self time to functions and to where they live, idle excluded', () => {
    // Each sample lasts until the next: the last one's length is unknown and counts 0.
    const p = profile(frames, [0, 1, 1, 1, 2, 3, 4, 5, 0]);
    const s = summarizeProfile(p, { bundle: BUNDLE, source });
    expect(s.busyMs).toBeCloseTo(0.7, 6);
    const where = Object.fromEntries(s.byWhere.map((w) => [w.where, w.selfMs]));
    expect(where).toEqual({
      'strategies/pool.ts': 0.3,
      fastify: 0.1,
      '@scope/pkg': 0.1,
      'node:internal': 0.1,
      '(garbage collector)': 0.1,
    });
    expect(s.top[0]).toEqual({ name: 'use:13', where: 'strategies/pool.ts', ours: true, selfMs: 0.3 });
    expect(s.top.filter((l) => l.ours)).toHaveLength(1);
  });

  it('counts only the samples inside the window', () => {
    // Sample i is taken at startTime + 100 * (i + 1).
    const p = profile(frames, [1, 1, 2, 2, 2, 0]);
    const s = summarizeProfile(p, { bundle: BUNDLE, source, fromUs: 1_000_300, toUs: 1_000_500 });
    expect(s.byWhere).toEqual([{ where: 'fastify', selfMs: 0.2 }]);
  });

  it('maps bundle lines to the source file esbuild marked them with', () => {
    expect(source(0)).toBe('bench/x.ts');
    expect(source(1)).toBe('bench/x.ts');
    expect(source(3)).toBe('strategies/pool.ts');
    expect(bundleSources('a\nb')(1)).toBeNull();
  });
});

describe('server-overhead table', () => {
  const sample = (target: string, serverUs: number | null, rps: number, repeat: number): Sample => ({
    target,
    case: 'deposit',
    repeat,
    requests: 1000,
    failures: 0,
    requestsPerSec: rps,
    serverUsPerRequest: serverUs,
    dbUsPerRequest: 100,
    driverUsPerRequest: 40,
  });

  it('spread is the median with min and max', () => {
    expect(spread([3, 1, 2], 1)).toBe('2.0 (1.0–3.0)');
    expect(spread([4, 1, 2, 3], 0)).toBe('3 (1–4)');
    expect(spread([null, 5], 1)).toBe('5.0');
    expect(spread([null], 1)).toBe('-');
  });

  it('the cost over bare is paired by repeat: each repeat minus bare in the same repeat', () => {
    const samples = [
      sample('bare', 100, 5000, 1),
      sample('bare', 110, 5000, 2),
      sample('bare', 90, 5000, 3),
      sample('current', 112, 4800, 1),
      sample('current', 115, 4700, 2),
      sample('current', null, 4900, 3),
      sample('HEAD', 105, 4000, 1),
      sample('HEAD', 125, 4700, 2),
      sample('HEAD', 95, 4900, 3),
    ];
    const table = renderSamples(samples);
    const row = table.split('\n').find((l) => l.startsWith('| deposit | current |'));
    expect(row).toBe(
      '| deposit | current | 4,800 (4,700–4,900) | 113.5 (112.0–115.0) | 8.5 (5.0–12.0) | 100.0 (100.0–100.0) | 40.0 (40.0–40.0) | 0 |',
    );
    expect(table).toContain('| deposit | bare | 5,000 (5,000–5,000) | 100.0 (90.0–110.0) | - |');
    // current against HEAD: 112-105 and 115-125 (repeat 3 has no figure); 4800/4000, 4700/4700, 4900/4900.
    const cmp = renderComparison(samples, 'current', 'HEAD').split('\n')[2];
    expect(cmp).toBe('| deposit | -1.5 (-10.0–7.0) | 0.0 (0.0–0.0) | 1.000 (1.000–1.200) |');
  });
});
