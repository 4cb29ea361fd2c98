import type { RunResult } from '../core/result-schema.ts';
import type { RenderedChart } from './chart-spec.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderMarkdown } from './markdown.ts';

/**
 * A renderer turns a run into one document. Pure and synchronous: the charts it embeds or links
 * are rendered beforehand (Vega's SVG renderer is asynchronous) and passed in; JSON ignores them.
 */
export type Renderer = (result: RunResult, charts: readonly RenderedChart[]) => string;

export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const RENDERERS: Readonly<Record<ReportFormat, Renderer>> = {
  md: renderMarkdown,
  html: renderHtml,
  json: (result) => renderJson(result),
};

/** Whether a format embeds or links charts (so they are worth rendering). */
export function usesCharts(format: ReportFormat): boolean {
  return format !== 'json';
}
