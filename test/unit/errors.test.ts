import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, LockbenchError } from '../../core/errors.ts';

describe('error catalogue', () => {
  const readme = readFileSync('README.md', 'utf8');
  it('documents every code in the README, and no code the catalogue lacks', () => {
    for (const code of Object.keys(ERRORS)) expect(readme).toContain(`\`${code}\``);
    const documented = [...readme.matchAll(/^\| `(LOCKBENCH_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    for (const code of documented) expect(Object.keys(ERRORS)).toContain(code);
  });

  it('maps usage errors to exit code 2', () => {
    expect(new LockbenchError('LOCKBENCH_USAGE', 'x').exitCode).toBe(2);
    expect(new LockbenchError('LOCKBENCH_DB_UNREACHABLE', 'x').exitCode).toBe(1);
  });
});
