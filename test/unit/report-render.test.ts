import { beforeAll, describe, expect, it } from 'vitest';
import { RunResult } from '../../bench/result-schema.ts';
import { chartSpecs } from '../../scripts/report/charts.ts';
import { compactJson } from '../../scripts/report/compact-json.ts';
import { escapeHtml, renderHtml } from '../../scripts/report/html.ts';
import { escapeMarkdown, renderMarkdown } from '../../scripts/report/markdown.ts';
import type { RenderedChart } from '../../scripts/report/render-charts.ts';
import { renderCharts } from '../../scripts/report/render-charts.ts';
import { RENDERERS } from '../../scripts/report/renderers.ts';
import { loadFixture, variant } from './report-fixture.ts';

const fixture = loadFixture();
let charts: RenderedChart[] = [];
let md = '';
let html = '';

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
}, 120_000);

describe('markdown decision report', () => {
  it('gives the verdict to the best correct strategy and a runner-up', () => {
    const verdicts = section(md, '### account · hot · mysql (MariaDB 10.5.27) · closed model');
    expect(verdicts).toMatch(
      /^\*\*atomic\*\* is the best correct strategy at 32 connections: 1,867 ok\/s, p99 41\.3 ms/m,
    );
    expect(verdicts).toContain('Runner-up: **for-update**');
    expect(verdicts).not.toMatch(/\*\*naive\*\* is the best/);
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

  it('states where the ranking changes along the sweep', () => {
    expect(md).toContain(
      'The ranking changes with the number of connections: optimistic leads at 8 connections, for-update at 32 connections',
    );
    const steady = variant(
      (c) => c.key === 'postgres/account/hot/for-update/closed/8',
      (c) => {
        c.metrics.goodputPerSec = 1900;
      },
    );
    const other = renderMarkdown(steady, []);
    expect(other).not.toContain('The ranking changes');
    expect(other).toContain('for-update leads at every level measured (8 to 32 connections).');
  });

  it('shows medians with the min–max spread for repeated cells', () => {
    const details = section(
      md.slice(md.indexOf('## Details and charts')),
      '### account · hot · postgres (PostgreSQL 18.4) · closed model',
    );
    expect(details).toContain('| **for-update** | 32 | 1,682 _(1,652–1,711)_ |');
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
    expect(md).toContain(fixture.command);
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
    expect(obs).toContain('**MariaDB reports NOWAIT as a lock-wait timeout.**');
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
    }
  });

  it('draws lines over the sweep and bars for a single level', () => {
    const specs = chartSpecs(fixture);
    const sweep = JSON.stringify(
      specs.find((s) => s.file === 'chart-account-hot-postgres-closed-throughput.svg')?.spec,
    );
    const single = JSON.stringify(
      specs.find((s) => s.file === 'chart-account-hot-mysql-closed-throughput.svg')?.spec,
    );
    expect(sweep).toContain('"type":"line"');
    expect(sweep).not.toContain('"type":"bar"');
    expect(single).toContain('"type":"bar"');
  });

  it('marks disqualified strategies in the charts', () => {
    const svg = charts.find((c) => c.file === 'chart-account-hot-postgres-closed-throughput.svg')?.svg ?? '';
    expect(svg).toContain('naive ✗');
  });
});

describe('html report', () => {
  it('is one self-contained page with the charts inline and no external references', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg\b/g)?.length).toBe(charts.length);
    expect(externalReferences(html)).toEqual([]);
    expect(html).not.toMatch(/<script\b/i);
    // Namespace URIs in the inline SVG are identifiers, never fetched; nothing else may name a URL.
    const withoutNamespaces = html.replace(/\sxmlns(:\w+)?="[^"]*"/g, '');
    expect(withoutNamespaces).not.toMatch(/https?:\/\//);
  });

  it('says the same as the Markdown', () => {
    expect(html).toContain(
      '<strong>atomic</strong> is the best correct strategy at 32 connections: 1,867 ok/s',
    );
    expect(html).toContain(
      'The ranking changes with the number of connections: optimistic leads at 8 connections',
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
    expect(md).toContain(
      'The ranking changes with the request rate: optimistic leads at 400 req/s, for-update at 1600 req/s.',
    );
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
