// Nested projection (`fieldPaths`). Worker threads run the built JavaScript
// (dist/parquet/decode-worker.js): build the package before running these tests.
import type { Data, RecordBatch, Struct } from 'apache-arrow';
import { afterAll, expect, it } from 'vitest';
import { presentFieldPaths } from '../../src/parquet/decode.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { deltaRs, describeFixtures } from '../fixtures.js';

const local = new LocalFileSystemStore();
const inThread = createParquetHandler(local, { workers: 0, jsProjection: false });
const pooled = createParquetHandler(local, { workers: 1, jsProjection: false });
afterAll(async () => {
  await pooled.close();
  await inThread.close();
});

const checkpoint = () => `${deltaRs('checkpoint_with_partitions')}/_delta_log/00000000000000000002.checkpoint.parquet`;

async function readAll(handler: typeof pooled, fieldPaths: string[][]): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const { batch } of handler.readFiles([{ path: checkpoint() }], { fieldPaths })) out.push(batch);
  return out;
}

const childNames = (b: RecordBatch, column: string): string[] => {
  const idx = b.schema.fields.findIndex((f) => f.name === column);
  return (b.data.children[idx] as Data<Struct>).type.children.map((f) => f.name);
};

describeFixtures('fieldPaths projection', () => {
  it('keeps only present paths, cut at maps and lists', async () => {
    const schema = await inThread.readSchema({ path: checkpoint() });
    const paths = presentFieldPaths(schema, [
      ['add', 'path'],
      ['add', 'partitionValues', 'key_value'],
      ['add', 'no_such_field'],
      ['remove', 'deletionVector'],
      ['no_such_column'],
      ['protocol'],
    ]);
    expect(paths).toEqual([['add', 'path'], ['add', 'partitionValues'], ['protocol']]);
  });

  it('decodes only the asked fields of a struct on a worker, the same values as the whole column', async () => {
    const batches = await readAll(pooled, [['add', 'path'], ['add', 'size'], ['add', 'stats_parsed'], ['add', 'not_there'], ['protocol']]);
    const first = batches[0]!;
    expect(first.schema.fields.map((f) => f.name)).toEqual(['add', 'protocol']);
    expect(childNames(first, 'add')).toEqual(['path', 'size', 'stats_parsed']);
    const whole = await readAll(inThread, [['add', 'path'], ['add', 'size'], ['protocol']]);
    // The in-thread reader cannot prune nested fields and returns the whole `add` column.
    expect(childNames(whole[0]!, 'add')).toContain('tags');
    const rows = (bs: RecordBatch[]) =>
      bs.flatMap((b) => b.toArray().map((r) => {
        const add = (r.toJSON() as { add: { path: string; size: bigint } | null }).add;
        return add === null ? null : `${add.path}:${add.size}`;
      }));
    expect(rows(batches)).toEqual(rows(whole));
    expect(rows(batches).filter((r) => r !== null).length).toBeGreaterThan(0);
  });
});
