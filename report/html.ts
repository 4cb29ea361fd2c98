import type { RunResult } from '../core/result-schema.ts';
import type { RenderedChart } from './chart-spec.ts';
import { buildReport } from './decision-report.ts';
import type { Block, Inline, Text } from './document.ts';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// Everything inline: the file must work offline, from a CI artifact or an e-mail attachment.
const CSS = `
:root { color-scheme: light; --fg: #1d2329; --muted: #5b6670; --line: #dde2e6; --bg-soft: #f6f8fa;
  --ok: #1f7a3a; --ok-bg: #eef8f0; --warn: #9a5b00; --warn-bg: #fff6e5; --bad: #b42318; --bad-bg: #fdf0ef; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 26px; margin: 8px 0 12px; }
h2 { font-size: 21px; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 17px; margin: 28px 0 10px; }
h4 { font-size: 14px; margin: 20px 0 8px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
p { margin: 8px 0; }
p.note { color: var(--muted); font-size: 14px; }
p.verdict { background: var(--ok-bg); border-left: 4px solid var(--ok); padding: 8px 12px; border-radius: 4px; }
p.warning { background: var(--bad-bg); border-left: 4px solid var(--bad); padding: 8px 12px; border-radius: 4px; }
ul { margin: 6px 0 12px; padding-left: 22px; }
li { margin: 4px 0; }
ul.warning li::marker { color: var(--bad); }
ul.note { color: var(--fg); }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg-soft);
  padding: 1px 4px; border-radius: 3px; }
pre { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
  overflow-x: auto; }
pre code { background: none; padding: 0; white-space: pre; }
.table-wrap { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; font-size: 13px; min-width: 50%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:hover { background: #fafbfc; }
nav.toc { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px;
  margin: 16px 0; font-size: 14px; }
nav.toc ul { margin: 2px 0; }
nav.toc ul ul { display: flex; flex-wrap: wrap; gap: 2px 18px; list-style: none; padding-left: 4px; font-size: 13px; }
td:first-child { white-space: nowrap; }
table.wrap td:first-child { white-space: normal; min-width: 9em; }
td em { display: block; font-style: normal; color: var(--muted); font-size: 11px; }
a { color: #1a5fb4; text-decoration: none; }
a:hover { text-decoration: underline; }
figure { margin: 16px 0 24px; padding: 12px; border: 1px solid var(--line); border-radius: 6px; overflow-x: auto; }
/* A chart's panels sit side by side while they fit and stack on a narrow screen, each at its own size. */
.panels { display: flex; flex-wrap: wrap; gap: 12px 20px; align-items: flex-start; }
figcaption { font-weight: 600; margin-bottom: 8px; }
figcaption span { display: block; font-weight: 400; color: var(--muted); font-size: 13px; }
figure svg { display: block; max-width: 100%; height: auto; }
.chart-error { color: var(--bad); }
td strong { white-space: nowrap; }
pre.command code { white-space: pre-wrap; overflow-wrap: anywhere; }
/* A phone: tighter margins; chart panels (each under 380 px wide) stack at full size. */
@media (max-width: 640px) {
  main { padding: 12px 10px 40px; }
  h1 { font-size: 21px; overflow-wrap: anywhere; }
  figure { padding: 8px 4px; }
  th, td { padding: 4px 5px; }
}
`;

function inline(i: Inline): string {
  if (typeof i === 'string') return escapeHtml(i);
  if ('strong' in i) return `<strong>${escapeHtml(i.strong)}</strong>`;
  if ('em' in i) return `<em>${escapeHtml(i.em)}</em>`;
  return `<code>${escapeHtml(i.code)}</code>`;
}

function text(t: Text): string {
  return t.map(inline).join('');
}

function cls(tone: string | undefined): string {
  return tone ? ` class="${tone}"` : '';
}

function idAttr(id: string | undefined): string {
  return id ? ` id="${escapeHtml(id)}"` : '';
}

/** Vega's SVG, labelled for screen readers. Its markup is Vega's own, with text already escaped by Vega. */
function chartSvg(svg: string, alt: string): string {
  return svg.replace(/^<svg\b/, `<svg role="img" aria-label="${escapeHtml(alt)}"`);
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}${idAttr(b.id)}>${escapeHtml(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p${cls(b.tone)}>${text(b.text)}</p>`;
    case 'list':
      return `<ul${cls(b.tone)}>${b.items.map((item) => `<li>${text(item)}</li>`).join('')}</ul>`;
    case 'table': {
      const th = b.head
        .map((h, i) => `<th${b.numeric[i] ? ' class="num"' : ''}>${escapeHtml(h)}</th>`)
        .join('');
      const rows = b.rows
        .map(
          (r) =>
            `<tr>${r.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${text(c.text)}</td>`).join('')}</tr>`,
        )
        .join('\n');
      return `<div class="table-wrap"><table${b.wrap ? ' class="wrap"' : ''}><thead><tr>${th}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
    }
    case 'code':
      return `<pre${b.wrap ? ' class="command"' : ''}><code>${escapeHtml(b.text)}</code></pre>`;
    case 'chart': {
      const id = escapeHtml(`chart-${b.file.replace(/\.svg$/, '')}`);
      const caption = `<figcaption>${escapeHtml(b.title)}<span>${escapeHtml(b.alt)}</span></figcaption>`;
      if (b.svg === null || b.panels.length === 0) {
        return `<figure id="${id}">${caption}<p class="chart-error">This chart could not be rendered: ${escapeHtml(b.error ?? 'unknown error')}</p></figure>`;
      }
      const panels = b.panels.map((p) => chartSvg(p.svg, `${b.title}: ${p.label}`)).join('');
      return `<figure id="${id}">${caption}<div class="panels">${panels}</div></figure>`;
    }
    case 'toc': {
      const item = (i: { id: string; text: string; children?: { id: string; text: string }[] }): string =>
        `<li><a href="#${escapeHtml(i.id)}">${escapeHtml(i.text)}</a>${
          i.children && i.children.length > 0 ? `<ul>${i.children.map(item).join('')}</ul>` : ''
        }</li>`;
      return `<nav class="toc"><strong>Contents</strong><ul>${b.items.map(item).join('')}</ul></nav>`;
    }
  }
}

/** Renders blocks into one self-contained HTML page: inline CSS and SVG, no script, no external reference. */
export function blocksToHtml(blocks: readonly Block[], title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${blocks.map(block).join('\n')}
</main>
</body>
</html>
`;
}

/** The decision report as one offline HTML file with its charts inline. Pure. */
export function renderHtml(result: RunResult, charts: readonly RenderedChart[] = []): string {
  return blocksToHtml(buildReport(result, charts), `Lockbench report: ${result.runId}`);
}
