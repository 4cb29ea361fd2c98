import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Server binaries of the MySQL family, in the order they are preferred. */
const CANDIDATES = ['mariadbd', 'mysqld'];

/** Where packages put the server besides PATH (Debian: /usr/sbin, often not on a user's PATH). */
export const MYSQL_SERVER_DIRS: readonly string[] = ['/usr/sbin', '/usr/libexec', '/usr/local/mysql/bin'];

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Path to mariadbd or mysqld on this machine, or null: the first found on `searchPath` (default
 * PATH), then in `dirs` (default MYSQL_SERVER_DIRS).
 */
export function findMysqlServerBinary(
  searchPath: string = process.env.PATH ?? '',
  dirs: readonly string[] = MYSQL_SERVER_DIRS,
): string | null {
  const all = [...searchPath.split(delimiter), ...dirs];
  for (const name of CANDIDATES) {
    for (const d of all) {
      if (d && isExecutable(join(d, name))) return join(d, name);
    }
  }
  return null;
}
