import { MemoryStore } from '../../src/storage/memory-store.js';
import { parseJsonExact } from '../../src/util/json.js';
import { describe, expect, it } from 'vitest';
import { csvRecords } from '../../src/input/csv.js';
import { inferJson, toDeltaStruct } from '../../src/input/infer.js';
import { readTextChunks, splitLines } from '../../src/input/text-source.js';
import { convertJson, convertStruct, convertText, JSON_LINE, parseTimestampText } from '../../src/input/values.js';

async function* chunksOf(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('csvRecords', () => {
  const text = 'a,b,c\r\n1,"x, ""y""\nz",\n\n"",2,"3"\n4,5,6';
  const expected = [
    { fields: ['a', 'b', 'c'], line: 1 },
    { fields: ['1', 'x, "y"\nz', null], line: 2 },
    { fields: ['', '2', '3'], line: 5 },
    { fields: ['4', '5', '6'], line: 6 },
  ];

  it('splits records the same way at every chunk size (quotes and CRLF across chunk boundaries)', async () => {
    for (const size of [1, 2, 3, 5, 7, 1000]) {
      const records = (await collect(csvRecords(chunksOf(text, size), 'f.csv'))).flat();
      expect(
        records.map((r) => ({ fields: r.fields, line: r.line })),
        `chunk size ${size}`,
      ).toEqual(expected);
    }
  });

  it.each([
    ['a,b\n1,x"y\n', 'line 2', 'inside an unquoted field'],
    ['a,b\n1,"x"y\n', 'line 2', 'follows the closing quote'],
    ['a,b\n1,2\n3,"open\nmore\n', 'line 3', 'never closed'],
  ])('refuses %j', async (csv, line, problem) => {
    for (const size of [1, 1000]) {
      const err = await collect(csvRecords(chunksOf(csv, size), 'f.csv')).catch((e: unknown) => e as Error);
      expect(err).toMatchObject({ code: 'PARSE_ERROR' });
      expect((err as Error).message).toContain(`f.csv ${line}`);
      expect((err as Error).message).toContain(problem);
    }
  });
});

describe('JSON lines', () => {
  it('infers struct fields and converts map entries in the order of the text, integer-like keys too', () => {
    const line = parseJsonExact('{"b": 1, "2": {"z": true, "10": "x", "9": null}, "1": [1.5], "__proto__": "p"}', JSON_LINE);
    const inferred = inferJson(line);
    expect(inferred.kind).toBe('struct');
    const schema = toDeltaStruct((inferred as Extract<typeof inferred, { kind: 'struct' }>).fields);
    expect(schema.fields.map((f) => f.name)).toEqual(['b', '2', '1', '__proto__']);
    expect((schema.fields[1]!.type as typeof schema).fields.map((f) => f.name)).toEqual(['z', '10', '9']);
    const mapType = { kind: 'map', keyType: { kind: 'primitive', name: 'string' }, valueType: { kind: 'primitive', name: 'string' }, valueContainsNull: true } as const;
    expect(convertJson(parseJsonExact('{"k": "a", "3": "b", "1": "c", "k": "d"}', JSON_LINE), mapType, 'm')).toEqual([
      ['k', 'd'],
      ['3', 'b'],
      ['1', 'c'],
    ]);
    // A string column keeps other JSON values as their text, in the same order.
    expect(convertJson((line as Record<string, unknown>)['2'], { kind: 'primitive', name: 'string' }, 's')).toBe('{"z":true,"10":"x","9":null}');
    const row = convertStruct(line as Record<string, unknown>, schema, '');
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(row['__proto__']).toBe('p');
  });
});

describe('value conversion', () => {
  it('agrees with Date for dates and timestamps across eras', () => {
    for (const iso of ['0001-01-01', '1582-10-04', '1969-12-31', '2000-02-29', '2024-12-31', '9999-12-31']) {
      const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
      const date = new Date(0);
      date.setUTCFullYear(y, m - 1, d);
      expect(convertText(iso, { kind: 'primitive', name: 'date' }, 'c'), iso).toBe(Math.round(date.getTime() / 86_400_000));
    }
    for (const bad of ['2023-02-29', '2024-13-01', '2024-1-05', '2024-01-32']) expect(() => convertText(bad, { kind: 'primitive', name: 'date' }, 'c'), bad).toThrow(/not a valid date/);
    expect(parseTimestampText('2024-01-31T12:34:56.789012+05:30', 'timestamp', 'c')).toBe(BigInt(Date.UTC(2024, 0, 31, 7, 4, 56, 789)) * 1000n + 12n);
    expect(() => parseTimestampText('2024-01-31 12:00:00Z', 'timestamp_ntz', 'c')).toThrow(/without a zone/);
    expect(() => parseTimestampText('2024-01-31 12:00:00.1234567', 'timestamp', 'c')).toThrow(/sub-microsecond/);
  });

  it('converts text exactly or refuses it', () => {
    expect(convertText('-00012.500', { kind: 'decimal', precision: 6, scale: 3 }, 'c')).toEqual({ unscaled: -12500n, scale: 3 });
    expect(convertText('1.5e1', { kind: 'primitive', name: 'integer' }, 'c')).toBe(15);
    expect(convertText('-9223372036854775808', { kind: 'primitive', name: 'long' }, 'c')).toBe(-(2n ** 63n));
    expect(convertText('-inf', { kind: 'primitive', name: 'double' }, 'c')).toBe(Number.NEGATIVE_INFINITY);
    expect(convertText('aGk=', { kind: 'primitive', name: 'binary' }, 'c')).toEqual(new Uint8Array([104, 105]));
    expect(() => convertText('1.5', { kind: 'primitive', name: 'long' }, 'c')).toThrow(/not a valid long/);
    expect(() => convertText('1e39', { kind: 'primitive', name: 'float' }, 'c')).toThrow(/out of range for float/);
    expect(() => convertText('yes', { kind: 'primitive', name: 'boolean' }, 'c')).toThrow(/not a valid boolean/);
    expect(() => convertText('1e10001', { kind: 'decimal', precision: 38, scale: 0 }, 'c')).toThrow(/not a valid decimal\(38,0\)/);
    expect(() => convertText(' 1.5', { kind: 'decimal', precision: 5, scale: 1 }, 'c')).toThrow(/not a valid decimal\(5,1\)/);
  });
});

describe('readTextChunks', () => {
  it('decodes UTF-8 split across range reads and drops a byte-order mark', async () => {
    const store = new MemoryStore();
    const text = `{"k": "${'é€😀'.repeat(300_000)}"}\n{"k": 2}`;
    await store.put('/in.jsonl', new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]));
    const progress = { bytesRead: 0, totalBytes: 0 };
    const lines = (await collect(splitLines(readTextChunks(store, '/in.jsonl', progress)))).flat();
    expect(lines.map((l) => l.text).join('\n')).toBe(text);
    expect(lines.map((l) => l.line)).toEqual([1, 2]);
    expect(progress.bytesRead).toBe(progress.totalBytes);
    expect(progress.totalBytes).toBeGreaterThan(1 << 21);
  });

  it('refuses bytes that are not UTF-8 with PARSE_ERROR', async () => {
    const store = new MemoryStore();
    await store.put('/bad.csv', new Uint8Array([0x61, 0x0a, 0xff, 0x0a]));
    await expect(collect(readTextChunks(store, '/bad.csv', { bytesRead: 0, totalBytes: 0 }))).rejects.toMatchObject({ code: 'PARSE_ERROR' });
  });
});


describe('openInputPath', () => {
  it('reads every data file of a folder in path order, skipping _ and . names, and merges their columns', async () => {
    const { openInputPath } = await import('../../src/input/open.js');
    const store = new MemoryStore();
    const enc = new TextEncoder();
    await store.put('/src/b.json', enc.encode('{"id": 2, "extra": "x"}\n'));
    await store.put('/src/a.json', enc.encode('{"id": 1}\n'));
    await store.put('/src/_SUCCESS', enc.encode('not data'));
    await store.put('/src/.hidden.json', enc.encode('{"id": 99}\n'));
    await store.put('/src/sub/c.json', enc.encode('{"id": 3}\n'));
    const input = await openInputPath(store, '/src', 'jsonl');
    const schema = await input.schema();
    expect(schema.fields.map((f) => f.name)).toEqual(['id', 'extra']);
    const ids: unknown[] = [];
    for await (const b of input.batches(schema)) for (const r of b.toArray()) ids.push([r.id, r.extra]);
    expect(ids).toEqual([[1n, null], [2n, 'x'], [3n, null]]);
    await expect(openInputPath(store, '/nothing', 'csv')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
