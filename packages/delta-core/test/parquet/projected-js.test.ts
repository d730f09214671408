// The pure-JS projected decoder (src/parquet/projected-js.ts) against parquet-wasm: every
// checkpoint and sidecar parquet file of the shared fixture tables, and checkpoints our writer
// produces, must read the same through the checkpoint reader's getters.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine.js';
import { plainValues } from '../../src/log/arrow-columns.js';
import { CHECKPOINT_FIELD_PATHS, readCheckpoint } from '../../src/log/checkpoint-reader.js';
import { buildLogSegment, type CheckpointFiles } from '../../src/log/segment.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { decodeProjectedJs, UnsupportedParquet } from '../../src/parquet/projected-js.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { systemClock } from '../../src/engine.js';
import type { AddFile, Metadata, Protocol, RemoveFile } from '../../src/log/actions.js';
import { parsedStatsLayout } from '../../src/log/checkpoint/parsed-stats.js';
import { buildCheckpointTable, type CheckpointRows } from '../../src/log/checkpoint/table.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { describeFixtures, FIXTURES } from '../fixtures.js';

const store = new LocalFileSystemStore();
const wasm = createParquetHandler(store, { workers: 0, jsProjection: false });
const js = createParquetHandler(store, { workers: 0 });
const wasmEngine: Engine = { store, parquet: wasm, clock: systemClock };
const jsEngine: Engine = { store, parquet: js, clock: systemClock };
afterAll(async () => {
  await wasm.close();
  await js.close();
});

/** Every checkpoint or sidecar parquet file under `dir` (not the bench tables). */
function checkpointFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'bench' && dir === FIXTURES) continue;
    if (statSync(p).isDirectory()) out.push(...checkpointFiles(p));
    else if (name.endsWith('.parquet') && (name.includes('.checkpoint') || dir.endsWith('_sidecars'))) out.push(p);
  }
  return out.sort();
}

/**
 * Each top-level column of the batches as plain row values (what the checkpoint reader sees),
 * cut to the asked fields: the in-thread parquet-wasm reader returns whole structs.
 */
function columnsAsRows(batches: readonly RecordBatch[], paths: readonly (readonly string[])[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const b of batches) {
    b.schema.fields.forEach((f, k) => {
      const get = plainValues(b.data.children[k], 'bigint');
      const asked = paths.filter((p) => p[0] === f.name);
      const fields = asked.some((p) => p.length === 1) ? undefined : new Set(asked.map((p) => p[1]!));
      const rows = (out[f.name] ??= []);
      for (let i = 0; i < b.numRows; i++) {
        const v = get(i) as Record<string, unknown> | undefined;
        rows.push(v === undefined || fields === undefined ? v : Object.fromEntries(Object.entries(v).filter(([name]) => fields.has(name))));
      }
    });
  }
  return out;
}

async function readWith(handler: typeof wasm, path: string, fieldPaths: readonly (readonly string[])[]): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const { batch } of handler.readFiles([{ path }], { fieldPaths })) out.push(batch);
  return out;
}

/** Drops columns that are null on every row: the JS decoder omits nothing, but may type them Null. */
const nonNull = (cols: Record<string, unknown[]>) => Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, v.every((x) => x === undefined) ? 'all null' : v]));

describeFixtures('projected JS decoder on the fixture checkpoints', () => {
  const files = checkpointFiles(FIXTURES);

  it('finds the fixture checkpoints, and decodes most of them without falling back', () => {
    expect(files.length).toBeGreaterThan(50);
    let decoded = 0;
    const unsupported: string[] = [];
    for (const f of files) {
      try {
        decodeProjectedJs(readFileSync(f), CHECKPOINT_FIELD_PATHS.all);
        decoded++;
      } catch (e) {
        if (!(e instanceof UnsupportedParquet)) throw new Error(`${f}: ${String(e)}`, { cause: e });
        unsupported.push(`${f}: ${e.message}`);
      }
    }
    expect(decoded, unsupported.join('\n')).toBeGreaterThan(files.length * 0.8);
  });

  for (const [name, paths] of Object.entries(CHECKPOINT_FIELD_PATHS)) {
    it(`reads the same values as parquet-wasm (${name} projection)`, async () => {
      for (const f of files) {
        const expected = columnsAsRows(await readWith(wasm, f, paths), paths);
        const actual = columnsAsRows(await readWith(js, f, paths), paths);
        expect(Object.keys(actual), f).toEqual(Object.keys(expected));
        expect(nonNull(actual), f).toEqual(nonNull(expected));
      }
    });
  }

  it('gives readCheckpoint the same content on every fixture table with a checkpoint', async () => {
    const roots = [...new Set(files.map((f) => f.slice(0, f.indexOf('/_delta_log/'))))];
    let compared = 0;
    for (const root of roots) {
      let segment;
      try {
        segment = await buildLogSegment(wasmEngine, root);
      } catch {
        continue; // tables that are broken on purpose
      }
      if (segment.checkpoint === undefined) continue;
      const settle = (p: Promise<unknown>) => p.then((v) => ({ v }), (e: Error & { code?: string }) => ({ e: e.code ?? e.message }));
      const expected = await settle(readCheckpoint(wasmEngine, root, segment.checkpoint));
      const actual = await settle(readCheckpoint(jsEngine, root, segment.checkpoint));
      expect(actual, root).toEqual(expected);
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
  });
});

describe('projected JS decoder edge cases', () => {
  it('leaves files it does not support to parquet-wasm', () => {
    expect(() => decodeProjectedJs(new Uint8Array([1, 2, 3]), [['add']])).toThrow();
  });
});

describe('projected JS decoder on large checkpoints of our writer', () => {
  const schema = {
    type: 'struct',
    fields: [
      { name: 'id', type: 'long', nullable: true, metadata: {} },
      { name: 'd', type: 'date', nullable: true, metadata: {} },
      { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
      { name: 'x', type: 'double', nullable: true, metadata: {} },
      { name: 'flag', type: 'boolean', nullable: true, metadata: {} },
      { name: 's', type: 'string', nullable: true, metadata: {} },
      { name: 'part', type: 'string', nullable: true, metadata: {} },
    ],
  };
  const metadata: Metadata = {
    id: 'big',
    format: { provider: 'parquet', options: {} },
    schemaString: JSON.stringify(schema),
    partitionColumns: ['part'],
    createdTime: 1_700_000_000_000,
    configuration: { 'delta.enableDeletionVectors': 'true', 'delta.appendOnly': 'false' },
  };
  const protocol: Protocol = { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors', 'domainMetadata'] };

  /** 12,000 adds (partition values with nulls and empty maps, tags, deletion vectors, stats on most), a few removes. */
  function rows(): CheckpointRows {
    const adds: AddFile[] = [];
    for (let i = 0; i < 12_000; i++) {
      const stats =
        i % 7 === 3
          ? undefined
          : JSON.stringify({
              numRecords: 10 + i,
              minValues: { id: i, d: '2024-01-02', ts: '2024-01-02T03:04:05.123Z', x: i / 3, s: `s${i}` },
              maxValues: { id: i * 2 ** 40, d: '2024-12-31', ts: '2024-12-31T23:59:59.999Z', x: -i, s: `t${i}é` },
              nullCount: { id: 0, d: i % 2, ts: 0, x: 1, flag: 2, s: 0 },
            });
      adds.push({
        path: `part=${i % 13}/file-${i}-${'x'.repeat(i % 90)}.parquet`,
        partitionValues: i % 11 === 0 ? {} : { part: i % 17 === 0 ? null : `p${i % 13}` },
        size: 1000 + i * 2 ** 33,
        modificationTime: 1_700_000_000_000 + i,
        dataChange: true,
        ...(stats === undefined ? {} : { stats }),
        ...(i % 5 === 0 ? { tags: { INSERTION_TIME: String(i), empty: null } } : {}),
        ...(i % 9 === 0 ? { deletionVector: { storageType: 'u' as const, pathOrInlineDv: `ab^-aqEH.-t@S}K{vb[*k^${i}`, offset: i % 2 === 0 ? 1 : undefined, sizeInBytes: 36, cardinality: i } } : {}),
        ...(i % 4 === 0 ? { baseRowId: i * 100, defaultRowCommitVersion: 3 } : {}),
      });
    }
    const removes: RemoveFile[] = Array.from({ length: 10 }, (_, i) => ({
      path: `gone-${i}.parquet`,
      deletionTimestamp: 1_700_000_000_000 - i,
      dataChange: true,
      extendedFileMetadata: true,
      partitionValues: { part: `p${i}` },
      size: 5 + i,
    }));
    return {
      protocol,
      metadata,
      txns: [{ appId: 'app-1', version: 7n, lastUpdated: 1_700_000_000_000 }, { appId: 'app-2', version: 2n ** 60n }],
      domains: [{ domain: 'delta.rowTracking', configuration: '{"rowIdHighWaterMark":1}', removed: false }],
      adds,
      removes,
    };
  }

  for (const rowGroupSize of [undefined, 5000, 1000]) {
    it(`reads the same values as parquet-wasm${rowGroupSize === undefined ? '' : ` (row groups of ${rowGroupSize})`}`, async () => {
      const table = buildCheckpointTable(rows(), { kind: 'classic', statsAsJson: true, parsed: parsedStatsLayout(metadata, protocol) });
      const bytes = await wasm.writeTable(table, { compression: 'snappy', ...(rowGroupSize === undefined ? {} : { rowGroupSize }) });
      const memory = new MemoryStore();
      await memory.put('/t/_delta_log/00000000000000000001.checkpoint.parquet', bytes);
      const wasmMem = createParquetHandler(memory, { workers: 0, jsProjection: false });
      const jsMem = createParquetHandler(memory, { workers: 0 });
      try {
        // The JS decoder reads the file without falling back.
        expect(decodeProjectedJs(bytes, CHECKPOINT_FIELD_PATHS.all).reduce((n, b) => n + b.numRows, 0)).toBe(table.numRows);
        for (const paths of Object.values(CHECKPOINT_FIELD_PATHS)) {
          const path = '/t/_delta_log/00000000000000000001.checkpoint.parquet';
          const expected = columnsAsRows(await readWith(wasmMem, path, paths), paths);
          const actual = columnsAsRows(await readWith(jsMem, path, paths), paths);
          expect(Object.keys(actual)).toEqual(Object.keys(expected));
          expect(nonNull(actual)).toEqual(nonNull(expected));
        }
        const engineOf = (parquet: typeof wasm): Engine => ({ store: memory, parquet, clock: systemClock });
        const files: CheckpointFiles = { version: 1, type: 'classic', format: 'parquet', files: [{ path: '/t/_delta_log/00000000000000000001.checkpoint.parquet', size: bytes.length, lastModified: 0 }] };
        const expected = await readCheckpoint(engineOf(wasmMem), '/t', files);
        const actual = await readCheckpoint(engineOf(jsMem), '/t', files);
        expect(actual.adds.length).toBe(12_000);
        // Actions come batch by batch, kind by kind: only the order within a kind is the file's.
        const byKind = (c: typeof actual) => ({ adds: c.adds, actions: [...c.actions].sort((a, b) => a.kind.localeCompare(b.kind)) });
        expect(byKind(actual)).toEqual(byKind(expected));
      } finally {
        await wasmMem.close();
        await jsMem.close();
      }
    });
  }
});
