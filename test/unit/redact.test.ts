import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../bench/cli-args.ts';
import { redactArg, redactCommandLine, redactConfig, redactUrl } from '../../core/redact.ts';

/** One redaction for every URL or command line that is recorded (core/redact.ts). */
describe('credentials are removed wherever a URL is recorded', () => {
  it('a password in a query parameter', () => {
    expect(redactUrl('postgres://u@127.0.0.1:5432/db?password=s3cret&sslmode=disable')).toBe(
      'postgres://u@127.0.0.1:5432/db?password=***&sslmode=disable',
    );
    expect(redactUrl('postgres://u@h/db?PASSWORD=s3cret&sslpassword=x2&token=t0k')).not.toMatch(
      /s3cret|x2|t0k/,
    );
  });

  it('a password with an unencoded @ is masked whole, in the URL and in the command line', () => {
    expect(redactUrl('postgres://u:p@ss@127.0.0.1/db')).toBe('postgres://u:***@127.0.0.1/db');
    const cmd = redactCommandLine('npm run bench --', [
      '--pg-url',
      'postgres://u:p@ss@127.0.0.1/db',
      '--mysql-url=mysql://root:a@b:c@127.0.0.1:3306/x?password=zz9',
    ]);
    expect(cmd).not.toMatch(/ss@|a@b|b:c|zz9/);
    expect(cmd).toContain('postgres://u:***@127.0.0.1/db');
    expect(cmd).toContain('--mysql-url=mysql://root:***@127.0.0.1:3306/x?password=***');
  });

  it('an argument that is not a URL is kept; an unparseable URL is hidden whole', () => {
    expect(redactArg('--strategy')).toBe('--strategy');
    expect(redactArg('postgres://u:s3cret@[::1/db')).toBe('<unparseable url>');
  });

  it('the recorded config, whether the URL came from a flag, the environment or a config file', () => {
    const flag = parseCommandLine(['--pg-url', 'postgres://u@127.0.0.1:5432/db?password=fromflag'], {});
    const env = parseCommandLine([], { LOCKBENCH_MYSQL_URL: 'mysql://root:fromenv@127.0.0.1:3306/x' });
    for (const c of [flag, env]) {
      if (c.kind !== 'run') throw new Error('expected a run');
      const text = JSON.stringify(redactConfig(c.config));
      expect(text).not.toMatch(/fromflag|fromenv/);
      expect(text).toMatch(/\*\*\*/);
    }
  });
});
