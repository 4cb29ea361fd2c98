import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../bench/load/classify.ts';
import { createProgressDisplay, progressLine } from '../../bench/load/progress-display.ts';
import type { LoadProgress } from '../../bench/load/recorder.ts';

describe('classifyResponse', () => {
  it('any 2xx is ok; otherwise the x-outcome header decides', () => {
    expect(classifyResponse(200, 'ok')).toBe('ok');
    expect(classifyResponse(201, undefined)).toBe('ok');
    expect(classifyResponse(409, 'conflict')).toBe('conflict');
    expect(classifyResponse(409, 'rejected')).toBe('rejected');
    expect(classifyResponse(422, 'rejected')).toBe('rejected');
    expect(classifyResponse(500, 'error')).toBe('error');
  });

  it('without the header: 422 is a refusal, anything else an error', () => {
    expect(classifyResponse(422, undefined)).toBe('rejected');
    expect(classifyResponse(409, undefined)).toBe('error');
    expect(classifyResponse(404, undefined)).toBe('error');
    expect(classifyResponse(503, 'ok')).toBe('error');
  });
});

const progress = (elapsedSec: number, extra: Partial<LoadProgress> = {}): LoadProgress => ({
  phase: 'measure',
  elapsedSec,
  remainingSec: 10 - elapsedSec,
  requestsPerSec: 1234.4,
  goodputPerSec: 1000,
  p99Ms: 12.345,
  conflictRate: 0.125,
  inFlight: 7,
  sent: 100,
  dropped: 0,
  stage: 'spike',
  ...extra,
});

describe('progress display', () => {
  it('formats one line', () => {
    expect(progressLine(progress(3))).toBe(
      '3/10 s spike: 1234 req/s, 1000 ok/s, p99 12.3 ms, conflicts 12.5%, in flight 7',
    );
    expect(progressLine(progress(3, { dropped: 5 }))).toMatch(/, dropped 5$/);
  });

  it('off a TTY writes one plain line every 5 s', () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const d = createProgressDisplay({ stream, label: 'pg/account' });
    for (let s = 1; s <= 10; s++) d.update(progress(s));
    d.stop();
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatch(/^pg\/account 1\/10 s spike: /);
    expect(lines[1]).toMatch(/^pg\/account 6\/10 s /);
  });
});
