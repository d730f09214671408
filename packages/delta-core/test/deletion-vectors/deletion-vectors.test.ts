import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine.js';
import { systemClock } from '../../src/engine.js';
import { isDeltaError } from '../../src/errors.js';
import { DeletedRows } from '../../src/deletion-vectors/deleted-rows.js';
import { deletionVectorLocation, loadDeletionVector, uuidDeletionVectorPath } from '../../src/deletion-vectors/load.js';
import { parseRoaringArray, serializeRoaringArray } from '../../src/deletion-vectors/roaring.js';
import { z85Decode, z85Encode } from '../../src/deletion-vectors/z85.js';
import { crc32 } from '../../src/deletion-vectors/crc32.js';
import type { DeletionVectorDescriptor } from '../../src/log/actions.js';
import type { ParquetHandler } from '../../src/parquet/handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { FIXTURES, describeFixtures, kernel } from '../fixtures.js';

const noParquet = {} as ParquetHandler; // DV loading never touches parquet
const engineOf = (store: ObjectStore): Engine => ({ store, parquet: noParquet, clock: systemClock });

interface FoundDv {
  readonly tableRoot: string;
  readonly dv: DeletionVectorDescriptor;
}

/** Every deletion-vector descriptor in the JSON commits of every fixture table. */
function fixtureDvs(): FoundDv[] {
  const out = new Map<string, FoundDv>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (!entry.isDirectory()) continue;
      if (entry.name === '_delta_log') {
        for (const f of readdirSync(p).filter((n) => /^\d{20}\.json$/.test(n))) {
          for (const line of readFileSync(join(p, f), 'utf8').split('\n')) {
            if (!line.includes('"deletionVector":{')) continue;
            const action = JSON.parse(line) as Record<string, { deletionVector?: DeletionVectorDescriptor } | undefined>;
            const dv = action.add?.deletionVector ?? action.remove?.deletionVector;
            if (dv) out.set(`${dir}|${JSON.stringify(dv)}`, { tableRoot: dir, dv });
          }
        }
      } else visit(p);
    }
  };
  visit(FIXTURES);
  return [...out.values()];
}

describeFixtures('deletion vectors in the fixture tables', () => {
  const found = fixtureDvs();
  const engine = engineOf(new LocalFileSystemStore());

  it('finds both file and inline descriptors', () => {
    expect(found.filter((f) => f.dv.storageType === 'u').length).toBeGreaterThan(40);
    expect(found.filter((f) => f.dv.storageType === 'i').length).toBeGreaterThan(0);
  });

  it('decodes every DV to exactly its logged cardinality, with no duplicate or out-of-order rows', async () => {
    let decoded = 0;
    for (const { tableRoot, dv } of found) {
      const loc = deletionVectorLocation(tableRoot, dv);
      if (loc.kind === 'file' && !existsSync(loc.path)) continue; // vacuumed DV of an old remove
      const rows = await loadDeletionVector(engine, tableRoot, dv);
      expect(rows.cardinality).toBe(dv.cardinality);
      const list = [...rows.rows()];
      expect(list.length).toBe(dv.cardinality);
      for (let i = 1; i < list.length; i++) expect(list[i]!).toBeGreaterThan(list[i - 1]!);
      for (const r of list) expect(rows.has(r)).toBe(true);
      decoded++;
    }
    expect(decoded).toBeGreaterThan(40);
  });

  it('kernel table-with-dv-small deletes rows 0 and 9 (the values DuckDB shows missing from the scan)', async () => {
    const root = kernel('table-with-dv-small');
    const dv = found.find((f) => f.tableRoot === root)!.dv;
    const rows = await loadDeletionVector(engine, root, dv);
    expect([...rows.rows()]).toEqual([0, 9]);
    const mask = rows.selectionForRange(0, 10)!;
    expect(Array.from(mask)).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    expect(rows.selectionForRange(1, 8)).toBeNull();
  });

  it('a flipped byte fails the checksum, naming the file', async () => {
    const { tableRoot, dv } = found.find((f) => f.dv.storageType === 'u')!;
    const path = uuidDeletionVectorPath(tableRoot, dv.pathOrInlineDv);
    const bytes = new Uint8Array(readFileSync(path));
    const at = (dv.offset ?? 1) + 4 + 6;
    bytes[at] = bytes[at]! ^ 0x01;
    const store = new MemoryStore();
    await store.put(path, bytes);
    const err = await loadDeletionVector(engineOf(store), tableRoot, dv).catch((e: unknown) => e);
    expect(isDeltaError(err, 'DELETION_VECTOR_CHECKSUM_MISMATCH')).toBe(true);
    expect((err as Error).message).toContain(path);
  });

  it('a cardinality that disagrees with the log is CORRUPT_DELETION_VECTOR; a missing file is FILE_NOT_FOUND', async () => {
    const { tableRoot, dv } = found.find((f) => f.dv.storageType === 'u')!;
    const wrong = await loadDeletionVector(engine, tableRoot, { ...dv, cardinality: dv.cardinality + 1 }).catch((e: unknown) => e);
    expect(isDeltaError(wrong, 'CORRUPT_DELETION_VECTOR')).toBe(true);
    const missing = await loadDeletionVector(engineOf(new MemoryStore()), tableRoot, dv).catch((e: unknown) => e);
    expect(isDeltaError(missing, 'FILE_NOT_FOUND')).toBe(true);
  });
});

describe('deletion vector encodings', () => {
  it('resolves u descriptors with and without a random prefix (protocol examples)', () => {
    expect(uuidDeletionVectorPath('/t', 'vBn[lx{q8@P<9BNH/isA')).toBe('/t/deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin');
    expect(uuidDeletionVectorPath('/t/', 'ab^-aqEH.-t@S}K{vb[*k^')).toBe('/t/ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin');
  });

  it('decodes a Spark inline DV (portable) and the legacy native layout of the protocol example', () => {
    const inline = deletionVectorLocation('/t', { storageType: 'i', pathOrInlineDv: '^Bg9^0rr910000000000iXQKl0rr91000935c8Xg000311onP9', sizeInBytes: 40, cardinality: 4 });
    expect(inline.kind).toBe('inline');
    expect([...parseRoaringArray((inline as { bytes: Uint8Array }).bytes, 'inline').rows()]).toEqual([0, 1, 4, 5]);
    const native = z85Decode('wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L');
    expect([...parseRoaringArray(native.subarray(0, 44), 'native').rows()]).toEqual([3, 4, 7, 11, 18, 29]);
  });

  it('Z85 round-trips and rejects characters outside the alphabet', () => {
    const bytes = Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
    expect(z85Encode(bytes)).toBe('HelloWorld'); // the ZeroMQ spec's test vector
    expect(z85Decode('HelloWorld')).toEqual(bytes);
    expect(() => z85Decode('Hello~orld')).toThrow(/Z85/);
  });

  it('CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('decodes a hand-built run container without offsets (fewer than 4 containers)', () => {
    // magic, 1 bucket, key 0, cookie 12347 with 1 container, run flag, header (key 0, card-1 = 9),
    // run container: 2 runs [5..9], [100..104]
    const bytes = Uint8Array.from([
      0xd1, 0xd3, 0x39, 0x64, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0x3b, 0x30, 0, 0, 0x01, 0, 0, 9, 0,
      2, 0, 5, 0, 4, 0, 100, 0, 4, 0,
    ]);
    const rows = parseRoaringArray(bytes, 'hand-built');
    expect([...rows.rows()]).toEqual([5, 6, 7, 8, 9, 100, 101, 102, 103, 104]);
  });

  it('round-trips array, bitset, run and multi-bucket bitmaps (with offset headers)', () => {
    const cases: number[][] = [
      [0, 9],
      Array.from({ length: 21846 }, (_, i) => i * 3), // bitset containers
      Array.from({ length: 50000 }, (_, i) => 1000 + i), // one long run
      [1, 70000, 140000, 210000, 280000, 350000].flatMap((b) => [b, b + 1, b + 2]), // 6 run containers → offset header
      [5, 2 ** 32 + 7, 2 * 2 ** 32 + 65536 * 3 + 1, 30064836607], // 4 buckets
    ];
    for (const rowsIn of cases) {
      const set = DeletedRows.fromRows(rowsIn);
      const back = parseRoaringArray(serializeRoaringArray(set), 'synthetic');
      expect(back.cardinality).toBe(rowsIn.length);
      expect([...back.rows()]).toEqual(rowsIn);
    }
  });

  it('selectionForRange masks exactly the deleted rows of any window', () => {
    const deleted = [3, 65535, 65536, 70000, 200001];
    const set = DeletedRows.fromRows(deleted);
    for (const [start, count] of [[0, 10], [65530, 10], [60000, 150000], [200001, 1]] as const) {
      const mask = set.selectionForRange(start, count);
      const expected = Array.from({ length: count }, (_, i) => (deleted.includes(start + i) ? 0 : 1));
      if (expected.every((v) => v === 1)) expect(mask).toBeNull();
      else expect(Array.from(mask!)).toEqual(expected);
    }
    expect(set.selectionForRange(4, 100)).toBeNull();
  });

  it('rejects trailing bytes and bad magic as CORRUPT_DELETION_VECTOR', () => {
    const good = serializeRoaringArray(DeletedRows.fromRows([1, 2, 3]));
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    for (const bad of [trailing, good.subarray(0, good.length - 1), Uint8Array.from([1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0])]) {
      let err: unknown;
      try {
        parseRoaringArray(bad, 'x');
      } catch (e) {
        err = e;
      }
      expect(isDeltaError(err, 'CORRUPT_DELETION_VECTOR')).toBe(true);
    }
  });
});

describe('Z85 tail padding of the Rust z85 crate', () => {
  it('a group with k leading # characters holds 4-k bytes', async () => {
    const { z85Decode } = await import('../../src/deletion-vectors/z85.js');
    // '##093' is 0x03 0x00: the last block of an inline DV written by delta-rs (kernel/cdf-table-with-dv, v5)
    const bytes = z85Decode('^Bg9^0rr910000000000iXQKl0rr91000005c8Xg##093');
    expect(Array.from(bytes.subarray(32, 34))).toEqual([3, 0]);
    expect(() => z85Decode('#####')).toThrow(/above 2\^32/);
  });
});
