import { lstatSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that walks the path itself. Node 20's `mkdirSync(path, { recursive: true })` spins
 * at 100% CPU forever on some paths (`/proc/x`: the kernel answers ENOENT for a parent that
 * exists), so every directory the harness creates goes through here. Throws the first ErrnoException
 * (ENOENT, ENOTDIR, EACCES, EROFS...) with its `path`.
 */
export function makeDirs(path: string, mode?: number): void {
  const missing: string[] = [];
  let p = resolve(path);
  for (;;) {
    try {
      const st = statSync(p);
      if (!st.isDirectory()) {
        const e = new Error(`ENOTDIR: not a directory, mkdir '${p}'`) as NodeJS.ErrnoException;
        e.code = 'ENOTDIR';
        e.path = p;
        throw e;
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const parent = dirname(p);
      if (parent === p) throw e;
      missing.push(p);
      p = parent;
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, mode === undefined ? undefined : { mode });
    } catch (e) {
      // A concurrent run may have made it between our stat and mkdir.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !lstatSync(dir).isDirectory()) throw e;
    }
  }
}
