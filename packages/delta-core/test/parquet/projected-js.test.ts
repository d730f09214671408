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
import { buildLogSegment } from '../../src/log/segment.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { decodeProjectedJs, UnsupportedParquet } from '../../src/parquet/projected-js.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { systemClock } from '../../src/engine.js';
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
