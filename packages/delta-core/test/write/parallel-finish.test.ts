/**
 * DataFileWriter's `parallelFinish`: the rows left at `finish` are split into one file per encode
 * worker only when each file gets at least PARALLEL_FINISH_MIN_ROWS rows; the files hold every row
 * once, in order, with their own stats. Without the option a partition's rows stay in one file.
 * Runs on real encode workers (build the package first, as for the other worker tests).
 */
import { Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, makeVector, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { field, primitive, struct } from '../../src/schema/types.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { createDefaultEngine } from '../../src/table/default-engine.js';
import { DataFileWriter, PARALLEL_FINISH_MIN_ROWS } from '../../src/write/data-writer.js';
import { statsOptionsFromMetadata } from '../../src/write/stats-collector.js';

const schema = struct([field('id', primitive('long')), field('p', primitive('string'))]);
const meta = { configuration: {}, partitionColumns: [] } as never;

function batch(from: number, n: number, part: (i: number) => string): RecordBatch {
  const ids = new BigInt64Array(n);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    ids[i] = BigInt(from + i);
    parts.push(part(from + i));
  }
  const fields = [new Field('id', new Int64(), true), new Field('p', new Utf8(), true)];
  const children = [makeVector(ids).data[0]!, vectorFromArray(parts, new Utf8()).data[0]!];
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
}

async function write(rows: number, options: { parallelFinish: boolean; partitioned: boolean }) {
  const store = new MemoryStore();
  const engine = createDefaultEngine({ store, workers: 2 });
  try {
    const writer = new DataFileWriter(engine, {
      tableRoot: '/t',
      schema,
      partitionColumns: options.partitioned ? ['p'] : [],
      columnMappingMode: 'none',
      stats: statsOptionsFromMetadata(meta, schema),
      parallelFinish: options.parallelFinish,
    });
    for (let from = 0; from < rows; from += 100_000) await writer.write(batch(from, Math.min(100_000, rows - from), (i) => (i % 2 === 0 ? 'even' : 'odd')));
    const adds = await writer.finish();
    // Files in the order they were started (partIndex in the name), each read back whole.
    const files = [...adds].sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
    const ids: BigInt64Array[] = [];
    const perFile: number[] = [];
    for (const a of files) {
      let n = 0;
      for await (const b of engine.parquet.readBatches({ path: `/t/${decodeURIComponent(a.path)}` })) {
        ids.push((b.getChild('id')!.toArray() as BigInt64Array).slice());
        n += b.numRows;
      }
      expect(JSON.parse(a.stats!).numRecords).toBe(n);
      perFile.push(n);
    }
    const all = new BigInt64Array(ids.reduce((s, a) => s + a.length, 0));
    let at = 0;
    for (const a of ids) {
      all.set(a, at);
      at += a.length;
    }
    return { adds: files, ids: all, perFile };
  } finally {
    await engine.parquet.close();
  }
}

describe('DataFileWriter parallelFinish', () => {
  it('splits the last rows over the encode workers, every row once and in order', async () => {
    const rows = 2 * PARALLEL_FINISH_MIN_ROWS + 50_000;
    const split = await write(rows, { parallelFinish: true, partitioned: false });
    expect(split.adds).toHaveLength(2);
    expect(split.perFile.every((n) => n >= PARALLEL_FINISH_MIN_ROWS)).toBe(true);
    expect(split.ids.length).toBe(rows);
    let outOfOrder = 0;
    for (let i = 0; i < rows; i++) if (split.ids[i] !== BigInt(i)) outOfOrder++;
    expect(outOfOrder).toBe(0);
    const stats = split.adds.map((a) => JSON.parse(a.stats!) as { minValues: { id: number }; maxValues: { id: number } });
    expect(stats[0]!.maxValues.id + 1).toBe(stats[1]!.minValues.id);

    const whole = await write(rows, { parallelFinish: false, partitioned: false });
    expect(whole.adds).toHaveLength(1);
    expect(Buffer.from(whole.ids.buffer).equals(Buffer.from(split.ids.buffer))).toBe(true);
  });

  it('does not split a partition with fewer than twice the minimum rows', async () => {
    // Two partitions of ~270k rows each: neither is split.
    const r = await write(2 * PARALLEL_FINISH_MIN_ROWS + 20_000, { parallelFinish: true, partitioned: true });
    expect(r.adds).toHaveLength(2);
    expect(new Set(r.adds.map((a) => a.partitionValues.p))).toEqual(new Set(['even', 'odd']));
  });
});
