import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunResult } from '../../core/result-schema.ts';
import type { RenderedChart } from '../../report/chart-spec.ts';
import { chartSpecs, DISQUALIFIED_COLOR } from '../../report/charts.ts';
import { compactJson } from '../../report/compact-json.ts';
import { em, strong } from '../../report/document.ts';
import { escapeHtml, renderHtml } from '../../report/html.ts';
import { blocksToMarkdown, escapeMarkdown, renderMarkdown } from '../../report/markdown.ts';
import { FINDINGS, observe } from '../../report/observations.ts';
import { composeSvg, renderCharts } from '../../report/render-charts.ts';
import { RENDERERS } from '../../report/renderers.ts';
import { cellOf, FIXTURE_PATH, loadFixture, variant, withMeasurementQuality } from './report-fixture.ts';

const fixture = loadFixture();
let charts: RenderedChart[] = [];
let md = '';
let html = '';
/** The fixture as a run that records intervals, steady state and interference. */
let mdq = '';

/** Text of the Markdown section that starts with `heading`, up to the next heading of the same level. */
function section(doc: string, heading: string): string {
  const start = doc.indexOf(`${heading}\n`);
  if (start === -1) throw new Error(`no section ${heading}`);
  const level = heading.match(/^#+/)?.[0] ?? '#';
  const rest = doc.slice(start + heading.length + 1);
  const next = rest.search(new RegExp(`^${level} `, 'm'));
  return next === -1 ? rest : rest.slice(0, next);
}

/** href/src/url() targets and <link>/<script src> that a browser would fetch. */
function externalReferences(page: string): string[] {
  const found: string[] = [];
  for (const m of page.matchAll(
    /\b(?:href|src|xlink:href|action|poster|data)\s*=\s*["']?\s*((?:https?:)?\/\/[^"'\s>]+)/gi,
  )) {
    found.push(m[1] as string);
  }
  for (const m of page.matchAll(/url\(\s*["']?\s*((?:https?:)?\/\/[^)"']+)/gi)) found.push(m[1] as string);
  for (const m of page.matchAll(/@import[^;]+/gi)) found.push(m[0]);
  for (const m of page.matchAll(/<link\b[^>]*>/gi)) found.push(m[0]);
  for (const m of page.matchAll(/<script\b[^>]*\bsrc\b[^>]*>/gi)) found.push(m[0]);
  return found;
}

beforeAll(async () => {
  charts = await renderCharts(fixture);
  md = renderMarkdown(fixture, charts);
  html = renderHtml(fixture, charts);
  mdq = renderMarkdown(withMeasurementQuality(), []);
}, 120_000);

describe('markdown decision report', () => {
  it('gives the verdict to the best correct strategy and a runner-up', () => {
    const verdicts = section(mdq, '### account · hot · mysql (MariaDB 10.5.27) · closed model');
    expect(verdicts).toMatch(
      /^\*\*atomic\*\* is the best correct strategy at 32 connections: 1,867 ± 93 ok\/s, p99 41\.3 ± 3\.3 ms/m,
    );
    expect(verdicts).toContain(
      'Runner-up: **for-update** with 33% less goodput, a margin of +50% (+40% to +61%): 1,243 ± 62 ok/s',
    );
    expect(verdicts).toContain('Their 95% goodput intervals do not overlap.');
    expect(verdicts).not.toMatch(/\*\*naive\*\* is the best/);
    expect(section(mdq, '## At a glance')).toContain(
      '| account · hot _mysql · 32 connections_ | **atomic** | 1,867 ± 93 | +50% (+40% to +61%) over for-update | 41.3 ± 3.3 | 0.00 | clear |',
    );
  });

  it('renders overlapping intervals as a tie that names every tied strategy', () => {
    const tie = renderMarkdown(
      withMeasurementQuality(
        {},
        variant(cellOf('mysql', 'account', 'for-update'), (c) => {
          c.metrics.goodputPerSec = 1800;
        }),
      ),
      [],
    );
    const verdicts = section(tie, '### account · hot · mysql (MariaDB 10.5.27) · closed model');
    expect(verdicts).toMatch(
      /^Tie at 32 connections: \*\*atomic\*\* and \*\*for-update\*\* are not separated/m,
    );
    expect(verdicts).toContain('`--duration 30s`');
    expect(verdicts).toContain('`--repeat 3`');
    expect(verdicts).toContain('highest throughput: **atomic** or **for-update** (tie)');
    expect(verdicts).not.toContain('is the best correct strategy');
    expect(section(tie, '## At a glance')).toMatch(
      /32 connections_ \| tie: \*\*atomic\*\*, \*\*for-update\*\* \| 1,867 ± 93 \| \+4% \(−3% to \+11%\) over for-update \|.*\| tie \|/,
    );
  });

  it('never calls a figure without an interval best over a close runner-up', () => {
    const close = renderMarkdown(
      variant(cellOf('mysql', 'account', 'for-update'), (c) => {
        c.metrics.goodputPerSec = 1800;
      }),
      [],
    );
    const verdicts = section(close, '### account · hot · mysql (MariaDB 10.5.27) · closed model');
    expect(verdicts).toMatch(
      /^No interval: cannot rank at 32 connections: \*\*atomic\*\* and \*\*for-update\*\* are less than 5% apart/m,
    );
    expect(verdicts).not.toContain('is the best correct strategy');
    expect(verdicts).not.toContain('ranks first');
    expect(section(close, '## At a glance')).toContain('cannot rank: **atomic**, **for-update**');
  });

  it('renders a run.json from before intervals, saying its figures have none', () => {
    const old = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as { cells: { repeat: number }[] };
    old.cells = old.cells.filter((c) => c.repeat === 0);
    const page = renderMarkdown(RunResult.parse(old), []);
    expect(page).toContain('No figure in this run has an interval');
    expect(page).toContain(
      '**atomic** ranks first at 32 connections: 1,867 ok/s, p99 41.3 ms, 0.00 extra attempts per success.',
    );
    expect(page).toContain('No interval: atomic and for-update have none');
    expect(page).not.toMatch(/\d ± \d/);
    // Alone in its comparison, a strategy is still the best; beside others, no interval means no "best".
    expect(page).not.toContain('**atomic** is the best correct strategy');
  });

  it('marks figures that never settled or were disturbed, with a legend line', () => {
    const marked = renderMarkdown(
      withMeasurementQuality({
        unsteady: (c) => c.database === 'mysql' && c.strategy === 'atomic',
        suspect: (c) => c.database === 'mysql' && c.strategy === 'for-update',
      }),
      [],
    );
    expect(section(marked, '## At a glance')).toContain(
      '| **atomic**† | 1,867 ± 93 | +50% (+40% to +61%) over for-update‡ |',
    );
    expect(marked).toContain(
      '† not steady by the rule: goodput either still changed through the measured window (the figure depends on when the measurement started)',
    );
    expect(marked).toContain('‡ something else on the machine took at least 15% of its CPU');
    expect(md).not.toContain('† not steady by the rule');
  });

  it('says why each unsteady cell was not steady: still changing, or level but bursty', () => {
    const run = withMeasurementQuality({
      unsteady: (c) => c.strategy === 'atomic',
    });
    const first = run.cells.find(
      (c) => c.database === 'mysql' && c.strategy === 'atomic' && c.metrics?.steady,
    );
    const s = first?.metrics?.steady;
    if (!s) throw new Error('fixture has no unsteady cell');
    // Level (an insignificant slope, no climb) but swinging: bursty.
    Object.assign(s, { trendPctPerSec: 6, trendT: 0.8, monotoneClimb: false });
    s.rule.trendMustBeSignificant = true;
    const box = section(renderMarkdown(run, []), '## Test conditions');
    expect(box).toMatch(
      /\(of the others, 1 level but bursty, with no significant trend: only their intervals are wide; \d+ still changing\)/,
    );
    expect(box).toContain('† not steady, level but bursty:** atomic at 32 connections, account/hot on mysql');
    expect(box).toContain('† not steady, still changing:** atomic');
  });

  it('states the test conditions: pool, harness CPU, retry policy, steady state, interference', () => {
    const box = section(mdq, '## Test conditions');
    expect(box).toContain(
      "32 connections share a pool of 10: while every pooled connection is busy, 22 of 32 requests wait for one, so about 69% of each request's latency can be pool wait",
    );
    expect(box).toContain('together used 1.37 CPU-seconds per second (median over cells; max 1.87)');
    expect(box).toContain('tried at most 10 times in all');
    expect(box).toContain('min(200, 2 x 2^(n-1))) ms');
    expect(box).toContain('26 of 26 measured cells were steady');
    expect(box).toContain('warm-up took 3.0 s (median), at most 4.0 s');
    expect(box).toContain('0 cells at 15% or more are marked ‡');
    const old = section(md, '## Test conditions');
    expect(old).toContain('**Steady state:** not recorded in this run');
    expect(old).toContain('**Interference:** not recorded in this run');
  });

  it('makes labels bold in Markdown, spaces outside the markers', () => {
    expect(md).toContain('- **Tool:** lockbench');
    expect(md).not.toContain('**Tool: **');
    expect(blocksToMarkdown([{ kind: 'paragraph', text: [strong(' Label: '), 'x ', em('note ')] }])).toBe(
      ' **Label:** x _note_ \n',
    );
  });

  it('lists disqualified strategies with what they broke, in words and counts', () => {
    const pg = section(md, '### account · hot · postgres (PostgreSQL 18.4) · closed model');
    expect(pg).toContain('**Disqualified** (broke an invariant):');
    expect(pg).toMatch(/- \*\*naive\*\* at 32 connections lost updates on 41 accounts/);
    expect(pg).toContain('in 2 of 2 repeats');
    const tickets = section(md, '### tickets · sellout · postgres (PostgreSQL 18.4) · closed model');
    expect(tickets).toMatch(/- \*\*naive\*\* oversold 12 seats, double-booked 9 seats/);
  });

  it('lists failed and unsupported cells with their reason', () => {
    expect(md).toContain('- **advisory** at 32 connections failed: LOCKBENCH\\_SERVER\\_START\\_FAILED');
    expect(md).toContain(
      '- **skip-locked** not supported here: MariaDB 10.5.27 has no SKIP LOCKED (added in 10.6).',
    );
  });

  it('states where the ranking changes along the sweep, or that it is a tie', () => {
    // Two repeats each: their t-intervals overlap at both levels.
    expect(md).toContain(
      'for-update and optimistic are tied at every level measured (8 to 32 connections): their goodput intervals overlap.',
    );
    // Identical repeats: zero-width intervals, so the order stands.
    const goodput = (fu8: number) => (c: { strategy: string; connections: number }) =>
      c.strategy === 'for-update' ? (c.connections === 8 ? fu8 : 1700) : c.connections === 8 ? 1600 : 1000;
    const sweepOf = (fu8: number) =>
      renderMarkdown(
        variant(
          (c) =>
            c.database === 'postgres' && c.workload === 'account' && /for-update|optimistic/.test(c.strategy),
          (c) => {
            c.metrics.goodputPerSec = goodput(fu8)(c);
          },
        ),
        [],
      );
    expect(sweepOf(1500)).toContain(
      'The ranking changes with the number of connections: optimistic leads at 8 connections, for-update at 32 connections',
    );
    const other = sweepOf(1900);
    expect(other).not.toContain('The ranking changes');
    expect(other).toContain('for-update leads at every level measured (8 to 32 connections).');
  });

  it('shows medians with the min–max spread for repeated cells', () => {
    const details = section(
      md.slice(md.indexOf('## Details and charts')),
      '### account · hot · postgres (PostgreSQL 18.4) · closed model',
    );
    // Goodput and p99 carry the repeats' interval; the other figures the median and min–max.
    expect(details).toContain('| **for-update** | 32 | 1,682 ± 375 | 1,682 _(1,652–1,711)_ |');
  });

  it('has the tables behind the verdict, observations, environment and the command', () => {
    for (const heading of [
      '## At a glance',
      '## Verdicts',
      '## Observations',
      '## Details and charts',
      '#### Throughput, latency and retries',
      '#### Outcomes and errors',
      '#### Correctness',
      '## Environment and configuration',
      '## How to reproduce',
    ]) {
      expect(md).toContain(`${heading}\n`);
    }
    // The command verbatim, whole, in a code block of its own.
    expect(md).toContain(`\n\`\`\`\n${fixture.command}\n\`\`\`\n`);
    expect(html).toContain(`<pre class="command"><code>${escapeHtml(fixture.command)}</code></pre>`);
    expect(md).toContain('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678');
    expect(md).toContain('| `pool` | 10 | 10 |');
    expect(md).toContain('| `lockOrder` | request | request |');
    // The cell's own coordinates are not settings.
    expect(md).not.toContain('| `strategy` |');
    const skipped = renderMarkdown(
      RunResult.parse({
        ...structuredClone(fixture),
        skippedDatabases: [{ id: 'mysql8', reason: 'not installed' }],
      }),
      [],
    );
    expect(skipped).toContain('- **mysql8**: not installed');
  });

  it('prints an observation only when the data supports it', () => {
    const obs = section(md, '## Observations');
    expect(obs).toMatch(
      /\n\| MariaDB reports NOWAIT as a lock-wait timeout \| account · hot · mysql \(MariaDB [\d.]+\) \| at 32 connections: nowait counted [\d,]+ lock timeouts/,
    );
    expect(obs).toContain(
      '- **MariaDB reports NOWAIT as a lock-wait timeout.** MariaDB reports a failed NOWAIT',
    );
    const without = renderMarkdown(
      variant(
        (c) => c.database === 'mysql' && c.strategy === 'nowait',
        (c) => {
          c.metrics.errors.lockNotAvailable = 10;
        },
      ),
      [],
    );
    expect(section(without, '## Observations')).not.toContain('NOWAIT as a lock-wait timeout');
  });

  it('lists observations as one table row each and explains each kind once', () => {
    const obs = section(md, '## Observations');
    expect(obs).toContain('| Finding | Where | Figures |');
    const observations = observe(fixture);
    const located = observations.filter((o) => o.where !== null);
    const rows = obs
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Finding') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(located.length);
    // Retry storms occur in several comparisons; their explanation is printed once.
    expect(located.filter((o) => o.kind === 'retry-storm').length).toBeGreaterThan(1);
    for (const kind of new Set(located.map((o) => o.kind))) {
      const { explanation } = FINDINGS[kind];
      const probe = escapeMarkdown(explanation.split('`')[0] as string);
      expect(md.split(probe).length, kind).toBe(2);
    }
    // Run-wide findings stand above the table, with their explanation.
    const cpu = obs.slice(0, obs.indexOf('| Finding'));
    expect(cpu).toContain('**The load generator may be the bottleneck.** The load driver used more than 0.8');
    expect(html).toMatch(/<table class="wrap"><thead><tr><th>Finding<\/th><th>Where<\/th><th>Figures<\/th>/);
  });

  it('links every rendered chart by a relative path', () => {
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links).toEqual(charts.map((c) => c.file));
    for (const l of links) expect(l).toMatch(/^chart-[a-z0-9-]+\.svg$/);
  });

  it('escapes Markdown in data', () => {
    expect(escapeMarkdown('a|b *c* <d> [e](f) `g`')).toBe('a\\|b \\*c\\* &lt;d&gt; \\[e\\](f) \\`g\\`');
  });
});

describe('charts', () => {
  it('draws four charts per comparison, each a parseable SVG with marks', () => {
    expect(charts).toHaveLength(5 * 4);
    for (const c of charts) {
      expect(c.error).toBeNull();
      expect(c.svg).toMatch(/^<svg\b/);
      expect(c.svg).toMatch(/<\/svg>\s*$/);
      expect(c.svg).toMatch(/<(path|rect)\b/);
      // The file holds every panel, each a nested SVG of its own.
      expect(c.panels.length, c.file).toBeGreaterThan(0);
      expect(c.svg?.match(/<svg\b/g)?.length, c.file).toBe(c.panels.length + 1);
    }
  });

  it('draws each panel narrow enough for a phone, so a page can stack panels at full size', () => {
    const panels = charts.flatMap((c) => c.panels.map((p) => ({ file: c.file, ...p })));
    expect(panels.length).toBeGreaterThan(charts.length);
    for (const p of panels) {
      const width = Number(/^<svg\b[^>]*\swidth="([\d.]+)"/.exec(p.svg)?.[1]);
      expect(width, `${p.file} ${p.label}`).toBeGreaterThan(150);
      expect(width, `${p.file} ${p.label}`).toBeLessThanOrEqual(380);
    }
    // The timeline gives every strategy its own panel, all on the same axes.
    const timeline = chartSpecs(fixture).find(
      (s) => s.file === 'chart-account-hot-postgres-closed-timeline.svg',
    );
    const small = (timeline?.panels ?? []).filter((p) => p.label.startsWith('per second, '));
    expect(small.length).toBeGreaterThan(1);
    const domains = small.map((p) => JSON.stringify((p.spec as { encoding: { y: unknown } }).encoding.y));
    expect(new Set(domains).size).toBe(1);
  });

  it('lays panels out side by side in a chart file, wrapping at a page width', () => {
    const panel = (w: number, h: number) =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect/></svg>`;
    const two = composeSvg([panel(300, 200), panel(300, 250)]);
    expect(two).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="616" height="250"/);
    expect(two).toContain('<svg x="316" y="0"');
    const wrapped = composeSvg([panel(300, 200), panel(300, 250), panel(300, 100)], 700);
    expect(wrapped).toMatch(/width="616" height="366"/);
    expect(wrapped).toContain('<svg x="0" y="266"');
  });

  it('draws lines over the sweep and bars for a single level', () => {
    const specs = chartSpecs(fixture);
    const sweep = JSON.stringify(
      specs.find((s) => s.file === 'chart-account-hot-postgres-closed-throughput.svg')?.panels,
    );
    const single = JSON.stringify(
      specs.find((s) => s.file === 'chart-account-hot-mysql-closed-throughput.svg')?.panels,
    );
    expect(sweep).toContain('"type":"line"');
    expect(sweep).not.toContain('"type":"bar"');
    expect(single).toContain('"type":"bar"');
  });

  it('draws a disqualified strategy greyed and faded in every chart, never as a normal mark', () => {
    const mine = charts.filter((c) => c.group === 'account-hot-postgres-closed');
    expect(mine.map((c) => c.kind)).toEqual(['throughput', 'latency', 'timeline', 'retries']);
    for (const c of mine) {
      const naive = [...(c.svg ?? '').matchAll(/<path\b[^>]*role="graphics-symbol"[^>]*>/g)]
        .map((m) => m[0])
        .filter((m) => m.includes('strategy: naive ✗'));
      expect(naive.length, c.file).toBeGreaterThan(0);
      for (const mark of naive) expect(mark, c.file).toContain('opacity="0.4"');
      // Its own marks (not the error-class bars, coloured by class) are grey; its lines dashed.
      expect(
        naive.some((m) => m.includes(`="${DISQUALIFIED_COLOR}"`)),
        c.file,
      ).toBe(true);
      for (const line of naive.filter((m) => m.includes('line mark'))) {
        expect(line, c.file).toContain(`stroke="${DISQUALIFIED_COLOR}"`);
        expect(line, c.file).toContain('stroke-dasharray="4,3"');
      }
    }
    // A correct strategy keeps its colour and full opacity.
    const atomic = [...(mine[0]?.svg ?? '').matchAll(/<path\b[^>]*strategy: atomic;[^>]*>/g)].map(
      (m) => m[0],
    );
    expect(atomic.length).toBeGreaterThan(0);
    for (const mark of atomic) expect(mark).not.toContain('opacity="0.4"');
  });

  it('marks disqualified strategies in the charts', () => {
    const svg = charts.find((c) => c.file === 'chart-account-hot-postgres-closed-throughput.svg')?.svg ?? '';
    expect(svg).toContain('naive ✗');
  });
});

describe('html report', () => {
  it('is one self-contained page with the charts inline and no external references', () => {
    expect(html).toMatch(/^<!doctype html>/);
    // Each panel inline on its own, so that a narrow screen can stack them.
    const panels = charts.reduce((n, c) => n + c.panels.length, 0);
    expect(html.match(/<svg\b/g)?.length).toBe(panels);
    expect(html.match(/<div class="panels">/g)?.length).toBe(charts.length);
    expect(externalReferences(html)).toEqual([]);
    expect(html).not.toMatch(/<script\b/i);
    // Namespace URIs in the inline SVG are identifiers, never fetched; nothing else may name a URL.
    const withoutNamespaces = html.replace(/\sxmlns(:\w+)?="[^"]*"/g, '');
    expect(withoutNamespaces).not.toMatch(/https?:\/\//);
  });

  it('says the same as the Markdown', () => {
    expect(html).toContain('<strong>atomic</strong> ranks first at 32 connections: 1,867 ok/s');
    expect(html).toContain(
      'for-update and optimistic are tied at every level measured (8 to 32 connections)',
    );
    expect(html).toContain('MariaDB reports NOWAIT as a lock-wait timeout.');
  });

  it('escapes text from the run, in the page and in the charts', async () => {
    const evil = '<script>alert(1)</script>"\'&';
    const base = structuredClone(fixture);
    for (const c of base.cells) {
      if (c.strategy === 'atomic') c.strategy = evil;
      if (c.status === 'failed') c.reason = `boom ${evil}`;
    }
    base.command = `npm run bench -- --db ${evil}`;
    const hostile = RunResult.parse(base);
    const page = renderHtml(hostile, await renderCharts(hostile));
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain(escapeHtml(evil));
    expect(page).toContain(`boom ${escapeHtml(evil)}`);
    expect(externalReferences(page)).toEqual([]);
    // Outside code blocks (which show text literally) Markdown must not carry raw HTML either.
    const prose = renderMarkdown(hostile, []).replace(/^```[\s\S]*?^```/gm, '');
    expect(prose).not.toContain('<script>');
    expect(prose).toContain('&lt;script&gt;');
  }, 120_000);
});

describe('renderer table', () => {
  it('offers md, html and json; json is the run itself', () => {
    expect(Object.keys(RENDERERS).sort()).toEqual(['html', 'json', 'md']);
    expect(RunResult.parse(JSON.parse(RENDERERS.json(fixture, [])))).toEqual(fixture);
  });

  it('is deterministic', () => {
    expect(renderMarkdown(fixture, charts)).toBe(md);
    expect(renderHtml(fixture, charts)).toBe(html);
  });
});

describe('runs the fixture does not cover', () => {
  it('renders a run without cells', async () => {
    const empty = RunResult.parse({ ...structuredClone(fixture), cells: [] });
    expect(await renderCharts(empty)).toEqual([]);
    expect(renderMarkdown(empty, [])).toContain('The run holds no cells.');
    expect(renderHtml(empty, [])).toContain('The run holds no cells.');
  });

  it('renders a comparison where nothing ran, and says there is no recommendation', async () => {
    const base = structuredClone(fixture);
    for (const c of base.cells) {
      if (c.database === 'mysql' && c.workload === 'tickets') {
        c.status = 'failed';
        c.reason = 'database went away';
        c.metrics = null;
        c.correctness = null;
      }
    }
    const broken = RunResult.parse(base);
    const page = renderMarkdown(broken, await renderCharts(broken));
    expect(page).toContain('No strategy at 32 connections both ran and kept the invariants');
    expect(page).toContain('- **for-update** failed: database went away.');
    expect(page).not.toContain('chart-tickets-sellout-mysql');
  });

  it('renders an open-model run by rate, and notes a schedule the server could not keep', async () => {
    const base = structuredClone(fixture);
    for (const c of base.cells) {
      c.model = 'open';
      c.rate = c.connections * 50;
      c.key = c.key.replace('/closed/', '/open/');
      if (c.metrics && c.strategy === 'nowait') c.metrics.outcomes.dropped = 321;
    }
    const open = RunResult.parse(base);
    const md = renderMarkdown(open, await renderCharts(open));
    expect(md).toContain('### account · hot · postgres (PostgreSQL 18.4) · open model');
    expect(md).toContain('for-update and optimistic are tied at every level measured (400 to 1600 req/s)');
    expect(md).toContain('**Target rate not reached.**');
    expect(md).toContain('could not start 321 scheduled requests');
    // A pool smaller than the connections says nothing about an open model's queue.
    expect(md).not.toContain('**Pool saturation.**');
  });

  it('prints resolved options compactly and losslessly', () => {
    const config = { a: [1, 2], b: { c: null, d: ['x"y'] }, long: 'z'.repeat(200) };
    expect(JSON.parse(compactJson(config))).toEqual(config);
    expect(compactJson(config).split('\n')).toHaveLength(5);
  });
});
