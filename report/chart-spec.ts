import type { TopLevelSpec } from 'vega-lite';

/**
 * The shapes of a report's charts: a spec built from the grouped data (charts.ts) and the rendered
 * chart (render-charts.ts). Types only, so the sections that add charts and the renderer share them
 * without importing each other.
 */

export type ChartKind = 'throughput' | 'latency' | 'timeline' | 'retries' | 'ab-forest';

export interface ChartSpec {
  /** Group.id the chart belongs to. */
  group: string;
  kind: ChartKind;
  /** File name beside report.md: chart-<group>-<kind>.svg. */
  file: string;
  title: string;
  /** One sentence describing the chart, for alt text and captions. */
  alt: string;
  /**
   * The chart's panels, each a whole Vega-Lite spec drawn as its own SVG: the HTML report lets them
   * sit side by side or stack with the page width (a phone gets them one under the other at full
   * size); the chart's SVG file lays them out side by side, wrapping like the page.
   */
  panels: ChartPanel[];
}

export interface ChartPanel {
  /** What the panel shows, for screen readers: "goodput (ok/s)". */
  label: string;
  spec: TopLevelSpec;
}

export interface RenderedChart {
  group: string;
  kind: ChartKind;
  file: string;
  title: string;
  alt: string;
  /**
   * The chart's file: its panels laid out side by side in one standalone SVG document (no external
   * references); null when rendering failed.
   */
  svg: string | null;
  /** Each panel as its own standalone SVG, for a page that lays them out itself; empty on failure. */
  panels: { label: string; svg: string }[];
  error: string | null;
}
