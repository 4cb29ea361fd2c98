import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { makeSandbox, owners, runBench, startBench } from '../fixtures/bench-process.ts';

/**
 * A password given in a URL query parameter (flag, environment) never lands in run.json, the
 * reports or the recorded command, and the throwaway database servers do not inherit the
 * harness's credentials.
 */
describe('credentials stay out of results and out of child processes', () => {
  it('a ?password= URL and an env URL: nothing in run.json, report.md or report.html', async ({
    onTestFinished,
  }) => {
    const s = makeSandbox();
    onTestFinished(() => s.cleanup());
    // The suite's PostgreSQL, with its password moved into the query string.
    const u = new URL(inject('pgUrl'));
    const password = decodeURIComponent(u.password);
    u.password = '';
    u.searchParams.set('password', password);
    const envSecret = 'envS3cretXyz';
    const r = await runBench(
      [
        ...['--db', 'postgres', '--workload', 'account', '--strategy', 'atomic', '--duration', '500ms'],
        ...['--warmup', '0', '--connections', '2', `--pg-url=${u}`, '--out', s.out],
      ],
      s,
      { LOCKBENCH_MYSQL_URL: `mysql://root:${envSecret}@127.0.0.1:9/x?password=${envSecret}` },
    );
    expect(r.code, r.stderr).toBe(0);
    const dir = join(s.out, 'latest');
    const files = readdirSync(dir).filter((f) => /\.(json|md|html|svg)$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['run.json', 'report.md', 'report.html']));
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text.includes(password), `${f} holds the password`).toBe(false);
      expect(text.includes(envSecret), `${f} holds the env password`).toBe(false);
    }
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(run.command).toContain('password=***');
    expect(run.config.pgUrl).toContain('password=***');
    expect(r.stdout + r.stderr).not.toContain(password);
  });

  it('throwaway servers get a minimal environment, without the harness URLs', async ({ onTestFinished }) => {
    const s = makeSandbox();
    onTestFinished(() => s.cleanup());
    const secret = 'childEnvS3cret';
    const bench = startBench(
      [
        '--db',
        'postgres,mysql',
        '--workload',
        'account',
        '--strategy',
        'atomic',
        '--duration',
        '10s',
        '--out',
        s.out,
      ],
      s,
      { PGPASSWORD: secret, LOCKBENCH_EXTRA: secret },
    );
    // (A LOCKBENCH_MYSQL_URL would make the run use that server; any variable shows the leak.)
    const found = await (async () => {
      for (let i = 0; i < 600; i++) {
        const o = owners(s.tmp).filter((x) => x.serverPid !== null);
        if (o.length >= 2) return o;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no servers:\n${bench.stderr()}`);
    })();
    for (const o of found) {
      const environ = readFileSync(`/proc/${o.serverPid}/environ`, 'utf8').split('\0');
      expect(environ.join('\n')).not.toContain(secret);
      expect(environ.some((e) => e.startsWith('PATH='))).toBe(true);
    }
    process.kill(-bench.pid, 'SIGINT');
    await bench.exit;
  });
});
