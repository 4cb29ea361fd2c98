import type { Figure } from './stats.ts';
import { hasSpread } from './stats.ts';

/**
 * The report as a small document tree, built once from a run and rendered to Markdown or HTML, so
 * that both formats always say the same thing. Text is plain data here; each renderer escapes it.
 */

/** A run of text: plain, bold, emphasised or code. */
export type Inline = string | { strong: string } | { em: string } | { code: string };
export type Text = readonly Inline[];

/** A table cell: text, aligned right when numeric. */
export interface TableCell {
  text: Text;
  numeric?: boolean;
}

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4; text: string; id?: string }
  | { kind: 'paragraph'; text: Text; tone?: 'verdict' | 'warning' | 'note' }
  | { kind: 'list'; items: Text[]; tone?: 'warning' | 'note' }
  /** wrap: text columns wrap (HTML keeps a table's first column on one line by default). */
  | { kind: 'table'; head: string[]; numeric: boolean[]; rows: TableCell[][]; wrap?: boolean }
  /** wrap: a long single command, shown whole (wrapped) in HTML rather than scrolled. */
  | { kind: 'code'; text: string; wrap?: boolean }
  /** svg: the chart's file (all panels in one SVG); panels: each panel's SVG, for HTML to lay out. */
  | {
      kind: 'chart';
      file: string;
      title: string;
      alt: string;
      svg: string | null;
      panels: readonly { label: string; svg: string }[];
      error: string | null;
    }
  | { kind: 'toc'; items: { id: string; text: string; children?: { id: string; text: string }[] }[] };

export const strong = (s: string): Inline => ({ strong: s });
export const em = (s: string): Inline => ({ em: s });
export const code = (s: string): Inline => ({ code: s });

/** Splits text on backticks into plain and code runs: "run `npm test` now". */
export function withCode(s: string): Inline[] {
  return s.split('`').map((part, i) => (i % 2 === 1 ? { code: part } : part));
}

/** The plain characters of a text, for alt text and tests. */
export function plainText(text: Text): string {
  return text
    .map((i) => (typeof i === 'string' ? i : 'strong' in i ? i.strong : 'em' in i ? i.em : i.code))
    .join('');
}

/** Text from runs: `t('plain ', strong('bold'))`. */
export const t = (...parts: Inline[]): Text => parts;

/** Shown where a figure does not exist (a strategy that did not run). */
export const DASH = '–';

export const cell = (s: string, numeric = false): TableCell => ({ text: [s], numeric });

/** A numeric cell over repeats: the median, then the spread as emphasis (HTML puts it on a second line). */
export const figCell = (f: Figure, fmt: (n: number) => string): TableCell => ({
  text: hasSpread(f) ? [fmt(f.median), ' ', em(`(${fmt(f.min)}–${fmt(f.max)})`)] : [fmt(f.median)],
  numeric: true,
});
