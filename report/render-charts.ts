import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { RunResult } from '../core/result-schema.ts';
import type { ChartSpec, RenderedChart } from './chart-spec.ts';
import { chartSpecs } from './charts.ts';
import type { Group } from './groups.ts';

/** A chart after rendering: its SVG markup, or why it could not be drawn (the report says so). */

// Charts embed their data; a spec that tried to load anything would be a bug, not a feature.
const noLoader = {
  load: () => Promise.reject(new Error('charts must not load external data')),
  sanitize: () => Promise.reject(new Error('charts must not load external data')),
  http: () => Promise.reject(new Error('charts must not load external data')),
  file: () => Promise.reject(new Error('charts must not load external data')),
};

/**
 * Renders one Vega-Lite spec to SVG with Vega's headless SVG renderer. No I/O and no printing;
 * without the optional `canvas` package Vega estimates text widths, which is close enough.
 */
export async function renderSvg(spec: ChartSpec['panels'][number]['spec']): Promise<string> {
  const compiled = compile(spec, { logger: vega.logger(vega.None) }).spec;
  const view = new vega.View(vega.parse(compiled), {
    renderer: 'none',
    logLevel: vega.None,
    loader: noLoader as never,
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The widest a chart's file gets before its panels wrap to a new row, in px: a page column. */
export const COMPOSED_MAX_WIDTH = 760;
const GAP = 16;

function sizeOf(svg: string): { width: number; height: number } {
  const open = /^<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const num = (name: string) => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(open)?.[1] ?? 0);
  return { width: num('width'), height: num('height') };
}

/**
 * Lays panels out left to right, wrapping at `maxWidth` as the HTML page's flex-wrap does, in one
 * SVG document; each panel stays a nested <svg> at its own size. Vega's SVG defines no ids, so
 * nesting several cannot make references collide.
 */
export function composeSvg(panels: readonly string[], maxWidth = COMPOSED_MAX_WIDTH): string {
  const placed: { svg: string; x: number; y: number }[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let width = 0;
  for (const svg of panels) {
    const size = sizeOf(svg);
    if (x > 0 && x + size.width > maxWidth) {
      x = 0;
      y += rowHeight + GAP;
      rowHeight = 0;
    }
    placed.push({ svg, x, y });
    width = Math.max(width, x + size.width);
    rowHeight = Math.max(rowHeight, size.height);
    x += size.width + GAP;
  }
  const height = y + rowHeight;
  const inner = placed.map((p) => p.svg.replace(/^<svg\b/, `<svg x="${p.x}" y="${p.y}"`)).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="white"/>${inner}</svg>`;
}

/** Renders every chart of a run. A chart that fails is reported in its slot, never thrown. */
export async function renderCharts(result: RunResult, groups?: readonly Group[]): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const c of chartSpecs(result, groups)) {
    const { panels, ...meta } = c;
    try {
      const svgs: { label: string; svg: string }[] = [];
      for (const p of panels) svgs.push({ label: p.label, svg: await renderSvg(p.spec) });
      out.push({ ...meta, svg: composeSvg(svgs.map((p) => p.svg)), panels: svgs, error: null });
    } catch (e) {
      out.push({ ...meta, svg: null, panels: [], error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
