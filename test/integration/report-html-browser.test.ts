import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../report/write-reports.ts';
import { chromiumPath } from '../../scripts/provision.ts';
import { loadFixture } from '../unit/report-fixture.ts';

/**
 * The HTML report as a reader sees it: opened from disk in headless Chromium with no network,
 * it must render its text and charts without errors and without fetching anything.
 */
// The same path `npm test`'s pretest hook (scripts/provision.ts) checks and installs.
const CHROMIUM = chromiumPath(process.env);

let dir = '';
let profile = '';
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: npm test installs it where apt-get can; else apt-get install -y chromium, or set LOCKBENCH_CHROMIUM`,
    );
  }
  dir = mkdtempSync(path.join(tmpdir(), 'lockbench-html-'));
  profile = mkdtempSync(path.join(tmpdir(), 'lockbench-chromium-'));
  await writeReports(loadFixture(), dir);
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(path.join(dir, 'report.html')).href, { waitUntil: 'load' });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('HTML report in Chromium', () => {
  it('renders the title, the verdicts and the tables', async () => {
    await expect(page.title()).resolves.toMatch(/^Lockbench report: /);
    expect(await page.locator('h1').textContent()).toMatch(/^Lockbench report/);
    const verdict = page.locator('p.verdict').first();
    expect(await verdict.isVisible()).toBe(true);
    expect(await verdict.textContent()).toMatch(/is the best correct strategy|ranks first|^Tie/);
    expect(await page.locator('table').count()).toBeGreaterThan(10);
  });

  it('shows every chart with a nonzero size', async () => {
    expect(await page.locator('figure:has(.panels)').count()).toBe(20);
    const svgs = page.locator('figure .panels > svg');
    expect(await svgs.count()).toBeGreaterThan(20);
    for (const svg of await svgs.all()) {
      await svg.scrollIntoViewIfNeeded();
      expect(await svg.isVisible()).toBe(true);
      const box = await svg.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(100);
      expect(box?.height ?? 0).toBeGreaterThan(100);
    }
  });

  it('has working in-page links', async () => {
    for (const href of await page
      .locator('nav.toc a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
      expect(await page.locator(href as string).count()).toBe(1);
    }
  });

  it("puts a chart's panels side by side on a wide screen", async () => {
    const tops = await page
      .locator('figure[id$="-throughput"]')
      .first()
      .locator('.panels > svg')
      .evaluateAll((svgs) => svgs.map((svg) => svg.getBoundingClientRect().top));
    expect(tops).toHaveLength(2);
    expect(tops[1]).toBe(tops[0]);
  });

  it('stays readable 420 px wide: the answer column whole on screen, chart panels stacked at full size', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 420, height: 900 });
    await phone.goto(pathToFileURL(path.join(dir, 'report.html')).href, { waitUntil: 'load' });
    const answers = await phone.locator('#glance + .table-wrap tbody td:nth-child(2)').evaluateAll((tds) =>
      tds.map((td) => {
        const r = td.getBoundingClientRect();
        return { text: td.textContent ?? '', right: r.right, clipped: td.scrollWidth > td.clientWidth };
      }),
    );
    expect(answers.length).toBeGreaterThan(0);
    for (const a of answers) {
      expect(a.right, a.text).toBeLessThanOrEqual(420);
      expect(a.clipped, a.text).toBe(false);
    }
    // Every panel fits the screen without being scaled down (its text would shrink to a few pixels),
    // and no chart scrolls sideways: the panels stack instead.
    const panels = await phone.locator('figure .panels > svg').evaluateAll((svgs) =>
      svgs.map((svg) => {
        const r = svg.getBoundingClientRect();
        const label = svg.getAttribute('aria-label') ?? '';
        // The page's own window (the test's tsconfig has no DOM library to name it).
        const page = globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } };
        const font = Math.min(
          ...[...svg.querySelectorAll('text')].map((t) =>
            Number.parseFloat(page.getComputedStyle(t).fontSize),
          ),
        );
        return {
          label,
          right: r.right,
          top: r.top,
          bottom: r.bottom,
          scale: r.width / Number(svg.getAttribute('width')),
          font,
        };
      }),
    );
    expect(panels.length).toBeGreaterThan(20);
    for (const p of panels) {
      expect(p.right, p.label).toBeLessThanOrEqual(420);
      expect(p.scale, p.label).toBeGreaterThanOrEqual(0.9);
      // Vega's smallest text is 10-11 px; scaled by at least 0.9 it stays above 9 px on screen.
      expect(p.font * p.scale, p.label).toBeGreaterThanOrEqual(9);
    }
    const throughput = panels.filter((p) => p.label.startsWith('Goodput and p99'));
    expect((throughput[1] as (typeof panels)[number]).top).toBeGreaterThanOrEqual(
      (throughput[0] as (typeof panels)[number]).bottom,
    );
    const scrolling = await phone
      .locator('figure')
      .evaluateAll((figs) => figs.filter((f) => f.scrollWidth > f.clientWidth).map((f) => f.id));
    expect(scrolling).toEqual([]);
    await phone.close();
  });

  it('logs no errors and requests nothing but the file itself', () => {
    expect(consoleErrors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(requests).toHaveLength(1);
  });
});
