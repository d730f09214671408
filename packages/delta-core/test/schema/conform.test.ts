import { Binary, Data, DateMillisecond, Decimal, Dictionary, Field, Int32, Int64, LargeUtf8, List, RecordBatch, Schema, Struct, Table, TimeUnit, Timestamp, Utf8, Vector, makeData } from 'apache-arrow';
import type { DataType as ArrowType } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { deltaToArrowSchema } from '../../src/schema/arrow.js';
import { columnMappingMode } from '../../src/schema/column-mapping.js';
import type { ColumnMappingMode } from '../../src/schema/column-mapping.js';
import { conformBatch, conformedSchema, toPhysicalBatch } from '../../src/schema/conform.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { parseSchemaString } from '../../src/schema/json.js';
import type { DataType, StructField, StructType } from '../../src/schema/types.js';
import { JsonNumber, parseJsonExact } from '../../src/util/json.js';
import { describeFixtures, golden, goldenExpected, kernel } from '../fixtures.js';
import { collect, dataFiles, latestMetadata, logActions, plainRows, sortRows, useHandler } from './helpers.js';

const handler = useHandler();

async function readConformed(files: readonly string[], target: StructType, mode: ColumnMappingMode): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for (const path of files) {
    for (const b of await collect(handler.readBatches({ path }))) out.push(conformBatch(b, target, { columnMapping: mode, filePath: path }));
  }
  return out;
}

function tableOf(dir: string) {
  const meta = latestMetadata(dir);
  const schema = parseSchemaString(meta.schemaString);
  const dataSchema: StructType = { kind: 'struct', fields: schema.fields.filter((f) => !meta.partitionColumns.includes(f.name)) };
  return { meta, schema, dataSchema, mode: columnMappingMode(meta.configuration) };
}

/** Arrow type text including nested field names and nullability. */
function shape(schema: Schema): string[] {
  const text = (f: Field): string => `${f.name}${f.nullable ? '?' : ''}:${String(f.type)}(${(f.type.children ?? []).map(text).join(',')})`;
  return schema.fields.map(text);
}

/** Exact unscaled integer text of a decimal literal at `scale`. */
function unscaled(literal: string, scale: number): string {
  const [int, frac = ''] = literal.split('.');
  return BigInt(int! + frac.padEnd(scale, '0')).toString();
}

const col = (name: string, type: DataType, metadata: Record<string, unknown> = {}): StructField => ({ name, type, nullable: true, metadata });
const long = { kind: 'primitive', name: 'long' } as const;

describeFixtures('conformBatch on type-widened files', () => {
  const dir = kernel('type-widening');
  const { schema } = tableOf(dir);
  const stats = new Map(
    logActions(dir).flatMap((a) => {
      const add = a['add'] as { path: string; stats: string } | undefined;
      return add ? [[add.path, (parseJsonExact(add.stats) as { minValues: Record<string, JsonNumber | string> }).minValues] as const] : [];
    }),
  );

  /** The value a widened column must hold for its one-row file, derived from the file's own stats. */
  function expectedValue(f: StructField, stat: JsonNumber | string): unknown {
    const text = String(stat);
    if (f.type.kind === 'decimal') return unscaled(text, f.type.scale);
    if (f.type.kind !== 'primitive') throw new Error('unexpected type');
    switch (f.type.name) {
      case 'long':
        return text;
      case 'double':
        // Old files hold floats: the widened double is the float's exact value.
        return f.name === 'float_double' && text === '3.4' ? Math.fround(3.4) : Number(text);
      case 'timestamp_ntz':
        // Stats hold milliseconds (truncated); compare at that precision.
        return BigInt(Date.parse(text.length === 10 ? `${text}T00:00:00Z` : `${text}Z`));
      default:
        throw new Error(`unexpected ${f.type.name}`);
    }
  }

  for (const [label, fileIndex] of [
    ['old narrow file', 'f6dbc649'],
    ['new wide file', '61accb66'],
  ] as const) {
    it(`reads the ${label} as the widened table types with the values its stats record`, async () => {
      const file = dataFiles(dir).find((f) => f.includes(fileIndex))!;
      const [batch] = await readConformed([file], schema, 'none');
      expect(shape(batch!.schema)).toEqual(shape(deltaToArrowSchema(schema)));
      const row = plainRows([batch!])[0]!;
      const fileStats = [...stats].find(([p]) => file.endsWith(p))![1];
      for (const f of schema.fields) {
        const actual = f.type.kind === 'primitive' && f.type.name === 'timestamp_ntz' ? BigInt(row[f.name] as string) / 1000n : row[f.name];
        expect(actual, f.name).toEqual(expectedValue(f, fileStats[f.name]!));
      }
    });
  }

  it('conforms sliced batches (non-zero offsets) like the rows of the whole batch', async () => {
    const { schema: allTypes } = tableOf(golden('parquet-all-types'));
    const [raw] = await collect(handler.readBatches({ path: dataFiles(golden('parquet-all-types'))[0]! }));
    const whole = plainRows([conformBatch(raw!, allTypes, { columnMapping: 'none' })]);
    const sliced = plainRows([conformBatch(raw!.slice(3, 7), allTypes, { columnMapping: 'none' })]);
    expect(whole.slice(3, 7).some((r) => Object.values(r).includes(null))).toBe(true);
    expect(sliced).toEqual(whole.slice(3, 7));
    const ints = makeData({ type: new Int32(), data: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), nullBitmap: Uint8Array.from([0b10101010, 1]) });
    const widened = conformBatch(batchOf(new Int32(), ints).slice(3, 6), target(long), { columnMapping: 'none' });
    expect(values(widened)).toEqual(['4', null, '6']);
  });
});

describeFixtures('conformBatch against the golden expected rows', () => {
  for (const name of [
    'parquet-all-types',
    'parquet-all-types-legacy-format',
    'table-with-columnmapping-mode-name',
    'kernel-timestamp-int96',
    'kernel-timestamp-pst',
    'kernel-timestamp-timestamp_micros',
    'data-reader-timestamp_ntz-name-mode',
  ]) {
    it(`reads ${name} as the rows Spark expects, in the table's logical shape`, async () => {
      const { dataSchema, mode } = tableOf(golden(name));
      const actual = await readConformed(dataFiles(golden(name)), dataSchema, mode);
      const expected = await readConformed(dataFiles(goldenExpected(name)), dataSchema, 'none');
      for (const b of actual) expect(shape(b.schema)).toEqual(shape(conformedSchema(dataSchema)));
      const rows = plainRows(actual);
      expect(rows.length).toBeGreaterThan(0);
      expect(sortRows(rows)).toEqual(sortRows(plainRows(expected)));
    });
  }

  it('resolves column-mapped files by field id exactly as by physical name', async () => {
    const { schema } = tableOf(golden('table-with-columnmapping-mode-name'));
    const files = dataFiles(golden('table-with-columnmapping-mode-name'));
    expect(plainRows(await readConformed(files, schema, 'id'))).toEqual(plainRows(await readConformed(files, schema, 'name')));
  });

  it('follows a rename: only the logical name changes', async () => {
    const { schema } = tableOf(golden('table-with-columnmapping-mode-name'));
    const renamed: StructType = { kind: 'struct', fields: schema.fields.map((f) => (f.name === 'LongType' ? { ...f, name: 'renamed' } : f)) };
    const files = dataFiles(golden('table-with-columnmapping-mode-name'));
    const before = plainRows(await readConformed(files, schema, 'name')).map((r) => r['LongType']);
    const after = plainRows(await readConformed(files, renamed, 'name')).map((r) => r['renamed']);
    expect(after).toEqual(before);
    expect(before.some((v) => v !== null)).toBe(true);
  });

  it('fills columns a file lacks with nulls, nested ones too (schema evolution)', async () => {
    const { schema } = tableOf(golden('parquet-all-types'));
    const evolved: StructType = {
      kind: 'struct',
      fields: [
        ...schema.fields.map((f) =>
          f.name === 'nested_struct' && f.type.kind === 'struct' ? { ...f, type: { ...f.type, fields: [...f.type.fields, col('added_inner', long)] } } : f,
        ),
        col('added', { kind: 'array', elementType: { kind: 'primitive', name: 'string' }, containsNull: true }),
      ],
    };
    const original = plainRows(await readConformed(dataFiles(golden('parquet-all-types')), schema, 'none'));
    const rows = plainRows(await readConformed(dataFiles(golden('parquet-all-types')), evolved, 'none'));
    rows.forEach((r, i) => {
      expect(r['added']).toBeNull();
      const nested = r['nested_struct'] as Record<string, unknown> | null;
      if (nested !== null) expect(nested['added_inner']).toBeNull();
      const { added: _a, ...rest } = r;
      if (nested !== null) delete (rest['nested_struct'] as Record<string, unknown>)['added_inner'];
      expect(rest).toEqual(original[i]);
    });
  });

  it('writes the physical shape with field ids that read back to the same logical rows', async () => {
    const dir = golden('table-with-columnmapping-mode-name');
    const { schema, mode } = tableOf(dir);
    const logical = await readConformed(dataFiles(dir), schema, mode);
    const physical = logical.map((b) => toPhysicalBatch(b, schema, mode));
    expect(shape(physical[0]!.schema)).toEqual(shape(deltaToArrowSchema(schema, { physical: true, columnMappingMode: mode })));
    expect(physical[0]!.data.children[0]!.values).toBe(logical[0]!.data.children[0]!.values);
    const store = new MemoryStore();
    const memHandler = createParquetHandler(store, { workers: 0 });
    await store.put('/t/f.parquet', await memHandler.writeTable(new Table(physical)));
    const written = await memHandler.readSchema({ path: '/t/f.parquet' });
    expect(written.fields.map((f) => Number(f.metadata.get('PARQUET:field_id')))).toEqual(schema.fields.map((f) => f.metadata['delta.columnMapping.id']));
    const back = (await collect(memHandler.readBatches({ path: '/t/f.parquet' }))).map((b) => conformBatch(b, schema, { columnMapping: 'id' }));
    await memHandler.close();
    expect(plainRows(back)).toEqual(plainRows(logical));
  });

  it('keeps the raw variant bytes of an unshredded variant table', async () => {
    const dir = kernel('unshredded-variant');
    const { schema } = tableOf(dir);
    const [file] = dataFiles(dir);
    const [raw] = await collect(handler.readBatches({ path: file! }));
    const conformed = conformBatch(raw!, schema, { columnMapping: 'none' });
    expect(shape(conformed.schema)).toEqual(shape(deltaToArrowSchema(schema)));
    expect(plainRows([conformed])).toEqual(plainRows([raw!]));
  });
});

/** A one-column batch named `c` from raw data. */
const batchOf = (type: ArrowType, data: Data, fieldMeta?: Map<string, string>) =>
  new RecordBatch(new Schema([new Field('c', type, true, fieldMeta)]), makeData({ type: new Struct([new Field('c', type, true, fieldMeta)]), length: data.length, children: [data] }));
const validity = (...valid: boolean[]) => Uint8Array.from([valid.reduce((m, v, i) => m | (v ? 1 << i : 0), 0)]);
const target = (type: DataType, metadata: Record<string, unknown> = {}): StructType => ({ kind: 'struct', fields: [col('c', type, metadata)] });
const values = (b: RecordBatch) => plainRows([b]).map((r) => r['c']);

describe('conformBatch casts', () => {
  it('normalises timestamp units to microseconds with the Delta time zone', () => {
    const cases: [TimeUnit, bigint[], string[]][] = [
      [TimeUnit.SECOND, [1n, -1n], ['1000000', '-1000000']],
      [TimeUnit.MILLISECOND, [1_500n, -1n], ['1500000', '-1000']],
      [TimeUnit.NANOSECOND, [1_999n, -1n], ['1', '-1']],
    ];
    for (const [unit, raw, expected] of cases) {
      const type = new Timestamp(unit);
      const out = conformBatch(batchOf(type, makeData({ type, data: BigInt64Array.from(raw) })), target({ kind: 'primitive', name: 'timestamp' }), { columnMapping: 'none' });
      expect(String(out.schema.fields[0]!.type)).toBe('Timestamp<MICROSECOND, UTC>');
      expect(values(out)).toEqual(expected);
    }
  });

  it('reads millisecond dates as days, flooring times before the epoch', () => {
    const type = new DateMillisecond();
    const data = makeData({ type, data: BigInt64Array.from([86_400_000n * 3n, -1n]) } as never);
    expect(values(conformBatch(batchOf(type, data as Data), target({ kind: 'primitive', name: 'date' }), { columnMapping: 'none' }))).toEqual([3, -1]);
  });

  it('refuses sub-microsecond digits when asked to (writers)', () => {
    const type = new Timestamp(TimeUnit.NANOSECOND);
    const data = makeData({ type, data: BigInt64Array.from([1_000n, 1_001n]), nullBitmap: validity(true, false) });
    const t = target({ kind: 'primitive', name: 'timestamp_ntz' });
    expect(values(conformBatch(batchOf(type, data), t, { columnMapping: 'none', subMicrosecond: 'error' }))).toEqual(['1', null]);
    const bad = makeData({ type, data: BigInt64Array.from([1_001n]) });
    expect(() => conformBatch(batchOf(type, bad), t, { columnMapping: 'none', subMicrosecond: 'error' })).toThrow(expect.objectContaining({ code: 'PRECISION_LOSS' }) as Error);
  });

  it('reads integer-stored decimals as unscaled values, but integers widened to decimal as integers', () => {
    const dec = { kind: 'decimal', precision: 9, scale: 2 } as const;
    const int32 = makeData({ type: new Int32(), data: Int32Array.from([12345, -5]) });
    expect(values(conformBatch(batchOf(new Int32(), int32), target(dec), { columnMapping: 'none' }))).toEqual(['12345', '-5']);
    const int64 = makeData({ type: new Int64(), data: BigInt64Array.from([-(2n ** 40n)]) });
    expect(values(conformBatch(batchOf(new Int64(), int64), target({ kind: 'decimal', precision: 18, scale: 0 }), { columnMapping: 'none' }))).toEqual([(-(2n ** 40n)).toString()]);
    const widened = target({ kind: 'decimal', precision: 12, scale: 2 }, { 'delta.typeChanges': [{ fromType: 'integer', toType: 'decimal(12,2)' }] });
    expect(values(conformBatch(batchOf(new Int32(), int32), widened, { columnMapping: 'none' }))).toEqual(['1234500', '-500']);
  });

  it('rescales widened decimals exactly, for small values and beyond 2^53', () => {
    const type = new Decimal(2, 38, 128);
    const raw = [-12345n, 0n, 2n ** 100n, -(2n ** 100n), 2n ** 52n, -(2n ** 60n)];
    const words = new Uint32Array(raw.length * 4);
    raw.forEach((v, i) => {
      let u = v < 0n ? v + (1n << 128n) : v;
      for (let k = 0; k < 4; k++, u >>= 32n) words[4 * i + k] = Number(u & 0xffffffffn);
    });
    const out = conformBatch(batchOf(type, makeData({ type, data: words })), target({ kind: 'decimal', precision: 38, scale: 5 }), { columnMapping: 'none' });
    expect(values(out)).toEqual(raw.map((v) => (v * 1000n).toString()));
  });

  it('turns large and dictionary strings into Utf8', () => {
    const strings = ['a', 'bcd', ''];
    const bytes = new TextEncoder().encode(strings.join(''));
    const large = makeData({ type: new LargeUtf8(), data: bytes, valueOffsets: BigInt64Array.from([0n, 1n, 4n, 4n]) });
    const str = target({ kind: 'primitive', name: 'string' });
    expect(values(conformBatch(batchOf(new LargeUtf8(), large), str, { columnMapping: 'none' }))).toEqual(strings);
    const dictType = new Dictionary(new Utf8(), new Int32());
    const dictValues = makeData({ type: new Utf8(), data: bytes, valueOffsets: Int32Array.from([0, 1, 4, 4]) });
    const dict = makeData({ type: dictType, data: Int32Array.from([1, 0, 1, 2]), nullBitmap: validity(true, true, false, true), dictionary: new Vector([dictValues]) });
    expect(values(conformBatch(batchOf(dictType, dict), str, { columnMapping: 'none' }))).toEqual(['bcd', 'a', null, '']);
  });

  it('reads a list of key/value structs as a map', () => {
    const entries = new Struct([new Field('k', new Int32(), false), new Field('v', new Utf8())]);
    const listType = new List(new Field('key_value', entries, false));
    const child = makeData({
      type: entries,
      length: 3,
      children: [makeData({ type: new Int32(), data: Int32Array.from([1, 2, 3]) }), makeData({ type: new Utf8(), data: new TextEncoder().encode('xyz'), valueOffsets: Int32Array.from([0, 1, 2, 3]) })],
    });
    const list = makeData({ type: listType, valueOffsets: Int32Array.from([0, 2, 3]), child });
    const mapType: DataType = { kind: 'map', keyType: { kind: 'primitive', name: 'integer' }, valueType: { kind: 'primitive', name: 'string' }, valueContainsNull: true };
    const out = conformBatch(batchOf(listType, list), target(mapType), { columnMapping: 'none' });
    expect(String(out.schema.fields[0]!.type)).toBe('Map<{key:Int32, value:Utf8}>');
    expect(values(out)).toEqual([[[1, 'x'], [2, 'y']], [[3, 'z']]]);
  });

  it('shares buffers instead of copying when only names or time zones change', () => {
    const type = new Utf8();
    const data = makeData({ type, data: new TextEncoder().encode('ab'), valueOffsets: Int32Array.from([0, 1, 2]) });
    const schema: StructType = { kind: 'struct', fields: [col('logical', { kind: 'primitive', name: 'string' }, { 'delta.columnMapping.physicalName': 'c', 'delta.columnMapping.id': 1 })] };
    const out = conformBatch(batchOf(type, data), schema, { columnMapping: 'name' });
    expect(out.schema.fields[0]!.name).toBe('logical');
    expect(out.data.children[0]!.values).toBe(data.values);
    const ts = makeData({ type: new Timestamp(TimeUnit.MICROSECOND), data: BigInt64Array.from([5n]) });
    const tsOut = conformBatch(batchOf(ts.type, ts), target({ kind: 'primitive', name: 'timestamp' }), { columnMapping: 'none' });
    expect(tsOut.data.children[0]!.values).toBe(ts.values);
  });

  it('reports a column that cannot be read as its table type', () => {
    const data = makeData({ type: new Utf8(), data: new Uint8Array(0), valueOffsets: Int32Array.from([0, 0]) });
    expect(() => conformBatch(batchOf(new Utf8(), data), target(long), { columnMapping: 'none', filePath: 'part-0.parquet' })).toThrow(
      expect.objectContaining({ code: 'SCHEMA_MISMATCH', details: expect.objectContaining({ path: 'c', file: 'part-0.parquet' }) }) as Error,
    );
  });

  it('refuses shredded variants rather than dropping their typed values', () => {
    const bin = () => makeData({ type: new Binary(), data: new Uint8Array(0), valueOffsets: Int32Array.from([0, 0]) });
    const type = new Struct([new Field('metadata', new Binary()), new Field('value', new Binary()), new Field('typed_value', new Binary())]);
    const data = makeData({ type, length: 1, children: [bin(), bin(), bin()] });
    expect(() => conformBatch(batchOf(type, data), target({ kind: 'primitive', name: 'variant' }), { columnMapping: 'none' })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_READER_FEATURE' }) as Error,
    );
  });
});
