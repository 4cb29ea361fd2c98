/**
 * JSON for people: like JSON.stringify(value, null, 2), but an array or object that fits on one
 * line within `width` characters stays on one line (["account", "tickets"] rather than four lines).
 */
export function compactJson(value: unknown, width = 100): string {
  return render(value, '', width);
}

function entriesOf(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, v]) => v !== undefined);
}

function oneLine(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  const entries = entriesOf(value);
  return entries.length === 0
    ? '{}'
    : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(', ')} }`;
}

function render(value: unknown, indent: string, width: number): string {
  const line = oneLine(value);
  if (value === null || typeof value !== 'object' || indent.length + line.length <= width) return line;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => `${inner}${render(v, inner, width)}`).join(',\n')}\n${indent}]`;
  }
  const entries = entriesOf(value);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${render(v, inner, width)}`).join(',\n')}\n${indent}}`;
}
