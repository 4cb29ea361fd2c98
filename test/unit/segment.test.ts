import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../bench/cli-args.ts';
import { everyAddress } from '../../bench/segment/remote-servers.ts';
import { segmentSeed, segmentTag, serverFor, shareOf } from '../../bench/segment/segment.ts';
import { LockbenchError } from '../../core/errors.ts';

describe('segment arithmetic', () => {
  it('splits a total into n shares that add up exactly and differ by at most one', () => {
    for (const total of [1, 2, 7, 24, 32, 100, 999]) {
      for (const count of [1, 2, 3, 4, 7]) {
        if (total < count) continue;
        const shares = Array.from({ length: count }, (_, i) => shareOf(total, { index: i + 1, count }));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
        expect(Math.min(...shares)).toBeGreaterThan(0);
      }
    }
  });

  it('gives each segment its own seed and opId tag; segment 1 of 1 is the whole run', () => {
    const seeds = Array.from({ length: 8 }, (_, i) => segmentSeed(42, { index: i + 1, count: 8 }));
    expect(new Set(seeds).size).toBe(8);
    expect(segmentSeed(42, { index: 1, count: 1 })).toBe(42);
    for (const s of seeds) expect(s >= 0 && s < 2 ** 31).toBe(true);
    expect(segmentTag({ index: 1, count: 1 })).toBe('');
    expect(new Set([1, 2, 3].map((index) => segmentTag({ index, count: 3 }))).size).toBe(3);
  });

  it('sends segment k to server k, round robin', () => {
    const urls = ['http://a:1', 'http://b:1'];
    expect([1, 2, 3].map((index) => serverFor(urls, { index, count: 3 }))).toEqual([
      'http://a:1',
      'http://b:1',
      'http://a:1',
    ]);
  });
});

describe('--server-url, --segment, --start-at', () => {
  const one = ['--db', 'postgres', '--strategy', 'atomic', '--workload', 'account', '--warmup', '2s'];
  const usage = (argv: string[]): string => {
    try {
      parseCommandLine(argv, {});
    } catch (e) {
      expect(e).toBeInstanceOf(LockbenchError);
      expect((e as LockbenchError).exitCode).toBe(2);
      return (e as LockbenchError).message;
    }
    throw new Error(`accepted: ${argv.join(' ')}`);
  };

  it('parses repeated server URLs, the segment and the start time', () => {
    const c = parseCommandLine(
      [
        ...one,
        '--server-url',
        'http://10.0.0.7:3000/',
        '--server-url',
        'http://10.0.0.8:3000',
        '--segment',
        '2/3',
        '--start-at',
        '1800000000000',
      ],
      {},
    );
    if (c.kind !== 'run') throw new Error('expected run');
    expect(c.config.serverUrl).toEqual(['http://10.0.0.7:3000', 'http://10.0.0.8:3000']);
    expect(c.config.segment).toEqual({ index: 2, count: 3 });
    expect(c.config.startAt).toBe(1_800_000_000_000);
  });

  it('refuses what a run against servers elsewhere cannot do, naming the flag', () => {
    expect(usage([...one, '--segment', '1/2'])).toMatch(/--segment needs --server-url/);
    expect(usage([...one, '--server-url', 'http://h:1', '--segment', '4/3'])).toMatch(
      /--segment: expected k\/n/,
    );
    expect(usage([...one, '--server-url', 'ftp://h:1'])).toMatch(/--server-url: expected an http/);
    expect(usage([...one, '--server-url', 'http://u:p@h:1'])).toMatch(/without credentials/);
    expect(usage([...one.slice(0, -2), '--server-url', 'http://h:1'])).toMatch(/fixed --warmup/);
    expect(usage([...one, '--strategy', 'atomic,naive', '--server-url', 'http://h:1'])).toMatch(
      /exactly one cell.*--strategy has 2 values/,
    );
    expect(usage([...one.slice(2), '--server-url', 'http://h:1'])).toMatch(/--db postgres or --db mysql/);
    expect(usage([...one, '--server-url', 'http://h:1', '--server-url', 'http://h:2'])).toMatch(
      /given 2 times for 1 segment/,
    );
    expect(usage([...one, '--connections', '2', '--server-url', 'http://h:1', '--segment', '1/3'])).toMatch(
      /--connections 2 cannot give each of 3 segments/,
    );
    expect(usage([...one, '--start-at', '5'])).toMatch(/--start-at needs --server-url/);
  });
});

describe('--stats-url', () => {
  it('reads every address a host resolves to, each once, and an IP as it is', async () => {
    const resolve = async (host: string) =>
      host === 'lockbench-servers-pods'
        ? [
            { address: '10.0.0.7', family: 4 },
            { address: '10.0.0.8', family: 4 },
            { address: 'fd00::9', family: 6 },
          ]
        : [];
    expect(
      await everyAddress(
        ['http://lockbench-servers-pods:3000', 'http://10.0.0.7:3000', 'http://[::1]:3000'],
        resolve,
      ),
    ).toEqual(['http://10.0.0.7:3000', 'http://10.0.0.8:3000', 'http://[fd00::9]:3000', 'http://[::1]:3000']);
  });

  it('is parsed like --server-url and needs it', () => {
    const c = parseCommandLine(
      [
        ...['--db', 'postgres', '--strategy', 'atomic', '--workload', 'account', '--warmup', '2s'],
        ...['--server-url', 'http://svc:3000', '--stats-url', 'http://pods:3000', '--segment', '1/2'],
      ],
      {},
    );
    if (c.kind !== 'run') throw new Error('expected run');
    expect(c.config.statsUrl).toEqual(['http://pods:3000']);
    expect(() => parseCommandLine(['--stats-url', 'http://pods:3000'], {})).toThrow(
      /--stats-url needs --server-url/,
    );
    expect(() => parseCommandLine(['--server-url', 'http://s:1', '--stats-url', 'pods'], {})).toThrow(
      /--stats-url: expected an http/,
    );
  });
});
