import { describe, expect, it } from 'vitest';
import { progressLine, WriteProgress } from '../src/progress.js';

describe('WriteProgress', () => {
  it('stays silent at first, then redraws at most once per interval, and erases itself', () => {
    let now = 0;
    const writes: string[] = [];
    const p = new WriteProgress({ write: (t: string) => writes.push(t), isTTY: true, columns: 100 }, { bytesRead: 50, totalBytes: 100 }, { now: () => now, delayMs: 500, intervalMs: 250 });
    for (let t = 0; t <= 2000; t += 10) {
      now = t;
      p.update(t * 10);
    }
    // Draws at 500, 750, ..., 2000: 7 draws in 1.5 s.
    expect(writes).toHaveLength(7);
    expect(writes[0]).toContain('5,000 rows');
    expect(writes[0]).toContain('10,000 rows/s');
    expect(writes[0]).toContain(' 50%');
    p.finish();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('fits the line into the terminal width', () => {
    expect(progressLine(123_456_789, 3_723_000, { bytesRead: 1, totalBytes: 3 }, 60).length).toBeLessThan(60);
    expect(progressLine(10, 1000, { bytesRead: 0, totalBytes: 0 }, 80)).toBe('writing  10 rows  10 rows/s  0:01');
  });
});
