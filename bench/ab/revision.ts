import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockbenchError } from '../../core/errors.ts';
import { ROOT } from '../environment.ts';
import { bundleServer } from '../server-process.ts';

/** Another revision's strategy server, checked out in a temporary worktree and bundled. */
export interface Revision {
  ref: string;
  sha: string;
  /** Node arguments that start its server. */
  entry: string[];
  /** Removes the worktree. Idempotent; also runs on process exit. */
  remove(): void;
}

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * Checks `ref` out with `git worktree add --detach` in a temp directory (the user's tree is never
 * touched) and bundles that tree's servers/main.ts with esbuild, its packages resolved from this
 * checkout's node_modules. Only the strategy server comes from the base: the load driver, the
 * checks and the reports are this tree's.
 */
export async function prepareRevision(ref: string): Promise<Revision> {
  let sha: string;
  try {
    sha = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new LockbenchError(
      'LOCKBENCH_USAGE',
      `--ab base=${ref}: not a commit in this repository (fetch it first?)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-base-'));
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    try {
      git(['worktree', 'remove', '--force', dir]);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      try {
        git(['worktree', 'prune']);
      } catch {}
    }
  };
  process.on('exit', remove);
  try {
    git(['worktree', 'add', '--detach', '--quiet', dir, sha]);
    const file = await bundleServer(dir);
    return { ref, sha, entry: [file], remove };
  } catch (e) {
    remove();
    throw new LockbenchError(
      'LOCKBENCH_SERVER_START_FAILED',
      `--ab base=${ref}: cannot build the base revision's server: ${(e as Error).message.split('\n')[0]}`,
      { cause: e },
    );
  }
}
