import { rmSync } from 'node:fs';
import { createDefaultEngine, isDeltaError } from '@deltakit/core';
import { describe, expect, it } from 'vitest';
import { Session, sessionReaders, type Row } from '../../src/index.js';
import { valueAtSecond } from '../../src/sources/rate-source.js';
import { logIds, readText, tempDir } from '../helpers.js';

const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);

function setup(options: Record<string, string>) {
  const clock = { now: T0, nowMs() { return this.now; } };
  const session = new Session({ engine: { ...createDefaultEngine({ workers: 0 }), clock } });
  const { readStream } = sessionReaders(session);
  const batches: { id: number; rows: Row[] }[] = [];
  const start = (chk: string) =>
    readStream.format('rate').options(options).load()
      .writeStream.option('checkpointLocation', chk)
      .foreachBatch(async (df, id) => {
        batches.push({ id, rows: await df.collect() });
      })
      .start();
  return { clock, batches, start };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

describe('rate source (RateStreamProvider)', () => {
  it("valueAtSecond ramps up linearly, then runs at rowsPerSecond (Spark's table)", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((s) => Number(valueAtSecond(BigInt(s), 10n, 4n)))).toEqual([0, 2, 6, 12, 20, 30, 40]);
    expect([0, 1, 2, 3].map((s) => Number(valueAtSecond(BigInt(s), 5n, 0n)))).toEqual([0, 5, 10, 15]);
  });

  it('offsets are seconds since the start time; each batch has the values and evenly spread timestamps of its seconds', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const { clock, batches, start } = setup({ rowsPerSecond: '10' });
    const q = await start(chk);
    await q.processAllAvailable();
    expect(batches).toEqual([]); // no row exists at second 0
    clock.now = T0 + 1000;
    await q.processAllAvailable();
    clock.now = T0 + 3500;
    await q.processAllAvailable();
    await q.stop();
    expect(batches.map((b) => b.id)).toEqual([0, 1]);
    expect(batches[0]!.rows).toEqual(Array.from({ length: 10 }, (_, i) => ({ timestamp: iso(T0 + i * 100), value: BigInt(i) })));
    expect(batches[1]!.rows).toEqual(Array.from({ length: 20 }, (_, i) => ({ timestamp: iso(T0 + 1000 + i * 100), value: BigInt(10 + i) })));
    expect(readText(`${chk}/offsets/0`).split('\n')[2]).toBe('1');
    expect(readText(`${chk}/offsets/1`).split('\n')[2]).toBe('3');
    expect(readText(`${chk}/sources/0/0`)).toBe(`v1\n${T0}`);
  });

  it('rampUpTime raises the rate second by second', async () => {
    const dir = tempDir();
    const { clock, batches, start } = setup({ rowsPerSecond: '10', rampUpTime: '4s' });
    const q = await start(`${dir}/chk`);
    clock.now = T0 + 2000;
    await q.processAllAvailable();
    clock.now = T0 + 6000;
    await q.processAllAvailable();
    await q.stop();
    expect(batches.map((b) => b.rows.map((r) => Number(r.value)))).toEqual([
      [0, 1, 2, 3, 4, 5],
      Array.from({ length: 34 }, (_, i) => 6 + i),
    ]);
  });

  it('numPartitions does not change the rows', async () => {
    const dir = tempDir();
    const { clock, batches, start } = setup({ rowsPerSecond: '7', numPartitions: '3' });
    const q = await start(`${dir}/chk`);
    clock.now = T0 + 2000;
    await q.processAllAvailable();
    await q.stop();
    expect(batches[0]!.rows.map((r) => Number(r.value))).toEqual(Array.from({ length: 14 }, (_, i) => i));
  });

  it('a restart replays an uncommitted batch identically, from the start time stored in sources/0/0', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const first = setup({ rowsPerSecond: '3' });
    let q = await first.start(chk);
    first.clock.now = T0 + 1000;
    await q.processAllAvailable();
    first.clock.now = T0 + 2000;
    await q.processAllAvailable();
    await q.stop();
    rmSync(`${chk}/commits/1`);
    const second = setup({ rowsPerSecond: '3' });
    second.clock.now = T0 + 10_000; // a later process start: the stored start time wins
    q = await second.start(chk);
    await q.processAllAvailable();
    await q.stop();
    expect(second.batches[0]).toEqual(first.batches[1]);
    expect(second.batches[1]!.id).toBe(2);
    expect(second.batches[1]!.rows.map((r) => Number(r.value))).toEqual(Array.from({ length: 24 }, (_, i) => 6 + i));
    expect(second.batches[1]!.rows[0]!.timestamp).toBe(iso(T0 + 2000));
    expect(readText(`${chk}/sources/0/0`)).toBe(`v1\n${T0}`);
    expect(logIds(chk, 'commits')).toEqual([0, 1, 2]);
  });

  it('refuses bad options and a user-specified schema with typed errors', async () => {
    const session = new Session();
    const { readStream } = sessionReaders(session);
    const dir = tempDir();
    const run = (opts: Record<string, string>, schema?: string) => {
      const r = schema ? readStream.format('rate').schema(schema) : readStream.format('rate');
      return r.options(opts).load().writeStream.option('checkpointLocation', `${dir}/c`).format('memory').queryName('r').start().catch((e: unknown) => e);
    };
    for (const [opts, msg] of [
      [{ rowsPerSecond: '0' }, /rowsPerSecond/],
      [{ rowsPerSecond: '-1' }, /rowsPerSecond/],
      [{ rampUpTime: '-5s' }, /rampUpTime/],
      [{ numPartitions: '0' }, /numPartitions/],
    ] as const) {
      const err = await run(opts);
      expect(isDeltaError(err, 'INVALID_ARGUMENT')).toBe(true);
      expect((err as Error).message).toMatch(msg);
    }
    const err = await run({}, 'a INT');
    expect(isDeltaError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/user-specified schema/);
  });
});
