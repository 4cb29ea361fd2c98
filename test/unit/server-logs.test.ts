import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logTail, portTaken } from '../../bench/databases/server-dirs.ts';

const file = join(mkdtempSync(join(tmpdir(), 'lockbench-log-')), 'server.log');

describe('server logs on a failed start', () => {
  it('shows the error lines from before the tail, then the tail', () => {
    const advice = Array.from({ length: 30 }, (_, i) => `advice ${i}`);
    writeFileSync(
      file,
      ['starting', "ERROR: 1051  Unknown table 'mysql.tmp_user_sys'", ...advice].join('\n'),
    );
    const tail = logTail(file, 5);
    expect(tail.split('\n')[0]).toContain('Unknown table');
    expect(tail).toContain('advice 29');
    expect(tail).not.toContain('advice 10');
    expect(tail).not.toContain('starting');
  });

  it('tells a taken port from other failures, reading only what the last attempt wrote', () => {
    const first = 'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use\n';
    writeFileSync(file, `${first}FATAL:  data directory has wrong ownership\n`);
    expect(portTaken(file, 0)).toBe(true);
    expect(portTaken(file, Buffer.byteLength(first))).toBe(false);
    expect(portTaken('/nonexistent/log', 0)).toBe(false);
  });
});
