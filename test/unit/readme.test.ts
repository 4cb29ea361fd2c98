import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLAG_OF } from '../../bench/config.ts';
import { PROFILE_NAMES } from '../../bench/load/profiles.ts';
import { STRATEGY_NAMES } from '../../core/names.ts';
import { BUILTIN_WORKLOADS } from '../../workloads/registry.ts';

const WORKLOAD_NAMES = Object.keys(BUILTIN_WORKLOADS);

const readme = readFileSync('README.md', 'utf8');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
};

describe('README', () => {
  it('documents every bench option in its options table', () => {
    const table = readme.slice(readme.indexOf('## Options'), readme.indexOf('## What a run measures'));
    for (const flag of [...Object.values(FLAG_OF), '--config', '--dry-run', '--list', '--help']) {
      expect(table, flag).toContain(`\`${flag}`);
    }
  });

  it('names only npm scripts that exist, and the two commands', () => {
    const named = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] as string);
    expect(named).toContain('bench');
    for (const script of new Set(named)) expect(Object.keys(pkg.scripts), script).toContain(script);
    expect(readme).toContain('npm test');
    expect(readme).toContain('npm ci && npm run bench');
    expect(Object.keys(pkg.bin)).toContain('lockbench');
  });

  it('names every strategy, workload and profile', () => {
    for (const name of [...STRATEGY_NAMES, ...WORKLOAD_NAMES, ...PROFILE_NAMES])
      expect(readme, name).toContain(name);
  });

  it('shows examples/inventory.ts exactly as the file is, so the example it shows is the one that runs', () => {
    const section = readme.slice(readme.indexOf('### Your own workload'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync('examples/inventory.ts', 'utf8'));
  });
});
