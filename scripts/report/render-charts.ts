import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { RunResult } from '../../bench/result-schema.ts';
import type { ChartKind, ChartSpec } from './charts.ts';
import { chartSpecs } from './charts.ts';
import type { Group } from './groups.ts';

/** A chart after rendering: its SVG markup, or why it could not be drawn (the report says so). */
export interface RenderedChart {
  group: string;
  kind: ChartKind;
  file: string;
  title: string;
  alt: string;
  /** Standalone SVG document (no external references); null when rendering failed. */
  svg: string | null;
  error: string | null;
}

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
export async function renderSvg(spec: ChartSpec['spec']): Promise<string> {
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

/** Renders every chart of a run. A chart that fails is reported in its slot, never thrown. */
export async function renderCharts(result: RunResult, groups?: readonly Group[]): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const c of chartSpecs(result, groups)) {
    const { spec, ...meta } = c;
    try {
      out.push({ ...meta, svg: await renderSvg(spec), error: null });
    } catch (e) {
      out.push({ ...meta, svg: null, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
