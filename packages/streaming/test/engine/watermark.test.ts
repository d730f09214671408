import { describe, expect, it } from 'vitest';
import { memoryStream } from '../../src/index.js';
import { readText, tempDir } from '../helpers.js';

describe('event-time watermark', () => {
  it('reports eventTime like Spark and carries the watermark through commits and offsets', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const s = memoryStream('id INT, ts TIMESTAMP');
    const q = await s.toDF().withWatermark('ts', '10 seconds').writeStream.format('memory').queryName('wm').option('checkpointLocation', chk).start();
    s.addData({ id: 1, ts: new Date('2024-01-01T00:00:10Z') }, { id: 2, ts: new Date('2024-01-01T00:00:30Z') });
    await q.processAllAvailable();
    s.addData({ id: 3, ts: new Date('2024-01-01T00:00:05Z') });
    await q.processAllAvailable();
    await q.stop();
    const [p0, p1] = q.recentProgress;
    expect(p0!.eventTime).toEqual({ avg: '2024-01-01T00:00:20.000Z', max: '2024-01-01T00:00:30.000Z', min: '2024-01-01T00:00:10.000Z', watermark: '1970-01-01T00:00:00.000Z' });
    // Batch 1 runs with the watermark batch 0 produced (max 30 s - 10 s delay); an older event does not move it back.
    expect(p1!.eventTime.watermark).toBe('2024-01-01T00:00:20.000Z');
    const wm = Date.parse('2024-01-01T00:00:20Z');
    expect(readText(`${chk}/commits/0`)).toBe(`v1\n{"nextBatchWatermarkMs":${wm}}`);
    expect(JSON.parse(readText(`${chk}/offsets/1`).split('\n')[1]!).batchWatermarkMs).toBe(wm);
    expect(readText(`${chk}/commits/1`)).toBe(`v1\n{"nextBatchWatermarkMs":${wm}}`);
  });
});
