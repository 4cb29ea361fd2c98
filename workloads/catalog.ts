import { BUILTIN_WORKLOADS } from './registry.ts';
import type { AnyWorkload } from './workload.ts';

/**
 * The workloads this process knows: the built-in ones, plus modules loaded from a file
 * (`--workload ./file.ts`, workloads/load-module.ts), each under its own name.
 */
const modules = new Map<string, AnyWorkload>(Object.entries(BUILTIN_WORKLOADS));
/** name -> absolute path of a module loaded from a file. */
const sources = new Map<string, string>();

/** The built-in workloads that a default run covers (queue is opt-in: `--workload queue` or `all`). */
export const DEFAULT_WORKLOADS: readonly string[] = ['account', 'transfer', 'tickets'];

/** Every known workload name, built-in first, in registration order. */
export function workloadNames(): string[] {
  return [...modules.keys()];
}

export function hasWorkload(name: string): boolean {
  return modules.has(name);
}

/** The module of a known workload; an unknown name is a bug (names are validated at the edges). */
export function getWorkload(name: string): AnyWorkload {
  const m = modules.get(name);
  if (!m)
    throw new RangeError(`unknown workload ${JSON.stringify(name)}; known: ${workloadNames().join(', ')}`);
  return m;
}

/** Adds a module loaded from `path`; its name must not shadow another workload. */
export function registerWorkload(module: AnyWorkload, path: string): void {
  const known = sources.get(module.name);
  if (known === path) return;
  if (modules.has(module.name)) {
    throw new RangeError(
      `workload name ${JSON.stringify(module.name)} from ${path} is taken${known ? ` by ${known}` : ' by a built-in workload'}`,
    );
  }
  modules.set(module.name, module);
  sources.set(module.name, path);
}

/** The file a workload was loaded from, or null for a built-in one. */
export function workloadSource(name: string): string | null {
  return sources.get(name) ?? null;
}

/** Every workload loaded from a file: name -> absolute path. */
export function loadedWorkloadSources(): ReadonlyMap<string, string> {
  return sources;
}
