import type { RunResult } from '../core/result-schema.ts';
import type { RenderedChart } from './chart-spec.ts';
import { buildReport } from './decision-report.ts';
import type { Block, Inline, Text } from './document.ts';

/** Escapes text so Markdown (GitHub's flavour) shows it literally: no emphasis, links, tables or HTML. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1');
}

function codeSpan(s: string): string {
  const flat = s.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * `**Tool: **` is not bold in CommonMark: a closing delimiter run must not follow whitespace (and
 * an opening one must not precede it), so the asterisks would show. Spaces go outside the markers.
 */
function delimit(s: string, marker: string): string {
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(s) as RegExpExecArray;
  const [, lead, body, trail] = m as unknown as [string, string, string, string];
  const space = (w: string) => (w === '' ? '' : ' ');
  return body === '' ? space(s) : `${space(lead)}${marker}${escapeMarkdown(body)}${marker}${space(trail)}`;
}

function inline(i: Inline): string {
  if (typeof i === 'string') return escapeMarkdown(i);
  if ('strong' in i) return delimit(i.strong, '**');
  if ('em' in i) return delimit(i.em, '_');
  return codeSpan(i.code);
}

function text(t: Text): string {
  return t.map(inline).join('');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${escapeMarkdown(b.text)}`;
    case 'paragraph':
      return b.tone === 'warning' ? `> ${text(b.text)}` : text(b.text);
    case 'list':
      return b.items.map((item) => `- ${text(item)}`).join('\n');
    case 'table': {
      const head = `| ${b.head.map(escapeMarkdown).join(' | ')} |`;
      const rule = `| ${b.numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`;
      const rows = b.rows.map((r) => `| ${r.map((c) => text(c.text) || ' ').join(' | ')} |`);
      return [head, rule, ...rows].join('\n');
    }
    case 'code': {
      const longest = Math.max(2, ...(b.text.match(/`+/g) ?? []).map((m) => m.length));
      const fence = '`'.repeat(longest + 1);
      return `${fence}\n${b.text}\n${fence}`;
    }
    case 'chart':
      if (b.svg === null) {
        return `_Chart "${escapeMarkdown(b.title)}" could not be rendered: ${escapeMarkdown(b.error ?? 'unknown error')}_`;
      }
      // The SVG file sits beside report.md; a relative link shows on GitHub and in local viewers.
      return `**${escapeMarkdown(b.title)}**\n\n![${escapeMarkdown(b.alt)}](${encodeURI(b.file)})`;
    case 'toc':
      // GitHub builds its own outline from the headings.
      return '';
  }
}

/** Renders blocks to Markdown. */
export function blocksToMarkdown(blocks: readonly Block[]): string {
  return `${blocks
    .map(block)
    .filter((s) => s !== '')
    .join('\n\n')}\n`;
}

/** The decision report as Markdown; links the charts as SVG files beside it. Pure. */
export function renderMarkdown(result: RunResult, charts: readonly RenderedChart[] = []): string {
  return blocksToMarkdown(buildReport(result, charts));
}
