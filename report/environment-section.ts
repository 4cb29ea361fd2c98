/** Where and how the run was made: tool, machine, databases, server settings, options, command. */
import type { RunResult } from '../core/result-schema.ts';
import { compactJson } from './compact-json.ts';
import type { Block } from './document.ts';
import { cell, code, DASH, strong, t } from './document.ts';
import { plural } from './format.ts';
import { canonicalOrder, productLabel } from './groups.ts';

function settingValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function environmentBlocks(result: RunResult): Block[] {
  const env = result.environment;
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Environment and configuration', id: 'environment' },
  ];
  blocks.push({
    kind: 'list',
    items: [
      t(
        strong('Tool: '),
        `${result.tool.name} ${result.tool.version}, git `,
        code(result.tool.gitSha ?? 'unknown'),
      ),
      t(
        strong('Machine: '),
        `${env.cpuModel} (${plural(env.cpuCount, 'core')}), ${env.memoryGiB} GiB, ${env.os}, Node.js ${env.node}${env.hostname ? `, host ${env.hostname}` : ''}`,
      ),
      t(strong('Run: '), `${result.runId}, ${result.startedAt} to ${result.finishedAt}`),
    ],
  });

  blocks.push({ kind: 'heading', level: 3, text: 'Databases' });
  if (result.databases.length > 0) {
    blocks.push({
      kind: 'table',
      head: ['id', 'product', 'kind', 'address', 'settings'],
      numeric: [false, false, false, false, false],
      rows: result.databases.map((d) => [
        { text: [strong(d.id)] },
        cell(productLabel(d)),
        cell(d.kind),
        { text: [code(d.address)] },
        cell(
          Object.entries(d.settings)
            .map(([k, v]) => `${k}=${settingValue(v)}`)
            .join(', ') || DASH,
        ),
      ]),
    });
  }
  if (result.skippedDatabases.length > 0) {
    blocks.push({ kind: 'paragraph', text: t(strong('Skipped databases:')) });
    blocks.push({
      kind: 'list',
      items: result.skippedDatabases.map((s) => t(strong(s.id), `: ${s.reason}`)),
      tone: 'note',
    });
  }

  // Server settings can differ per database and per cell; show every value that occurred.
  const dbs = [...new Set(result.cells.map((c) => c.database))];
  // strategy and workload repeat the cell's own coordinates; the tables already show them.
  const keys = [...new Set(result.cells.flatMap((c) => Object.keys(c.server)))]
    .filter((k) => k !== 'strategy' && k !== 'workload')
    .sort(
      canonicalOrder([
        'pool',
        'workers',
        'isolation',
        'durability',
        'lockTimeout',
        'lockTimeoutMs', // runs recorded before the server's options took the bench's names
        'workMs',
        'maxAttempts',
        'lockOrder',
      ]),
    );
  if (keys.length > 0) {
    blocks.push({ kind: 'heading', level: 3, text: 'Server settings' });
    blocks.push({
      kind: 'paragraph',
      text: t(
        'The benchmark server the load hit, per database (pool: database connections of each server worker process). A setting with several values differed between cells.',
      ),
      tone: 'note',
    });
    blocks.push({
      kind: 'table',
      head: ['setting', ...dbs],
      numeric: [false, ...dbs.map(() => false)],
      rows: keys.map((k) => [
        { text: [code(k)] },
        ...dbs.map((db) => {
          const values = [
            ...new Set(
              result.cells
                .filter((c) => c.database === db && k in c.server)
                .map((c) => settingValue(c.server[k])),
            ),
          ];
          return cell(values.length > 0 ? values.join(', ') : DASH);
        }),
      ]),
    });
  }

  blocks.push({ kind: 'heading', level: 3, text: 'Resolved options' });
  blocks.push({ kind: 'code', text: compactJson(result.config) });
  return blocks;
}
