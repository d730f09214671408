import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { createRowFormatter, csvField } from '../src/format/rows.js';
import { toJsonText } from '../src/format/json-text.js';

function sampleBatch(): arrow.RecordBatch {
  const table = new arrow.Table({
    id: arrow.vectorFromArray([1n, 9007199254740993n, -3n], new arrow.Int64()),
    name: arrow.vectorFromArray(['plain', 'comma, "quoted"\nline', null], new arrow.Utf8()),
    tags: arrow.vectorFromArray([['a'], [], null], new arrow.List(new arrow.Field('element', new arrow.Utf8(), true))),
    empty: arrow.vectorFromArray(['', 'x', ''], new arrow.Utf8()),
  });
  return table.batches[0] as arrow.RecordBatch;
}

describe('JSON lines', () => {
  it('writes one object per row with columns in schema order', () => {
    const batch = sampleBatch();
    const text = createRowFormatter('jsonl').rows(batch, 0, 3);
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(lines[0]).toBe('{"id":1,"name":"plain","tags":["a"],"empty":""}');
    expect(lines[1]).toBe('{"id":9007199254740993,"name":"comma, \\"quoted\\"\\nline","tags":[],"empty":"x"}');
    expect(JSON.parse(lines[2] as string)).toEqual({ id: -3, name: null, tags: null, empty: '' });
  });

  it('writes only the requested row range', () => {
    const text = createRowFormatter('jsonl').rows(sampleBatch(), 1, 2);
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    expect(text.startsWith('{"id":9007199254740993,')).toBe(true);
  });
});

describe('CSV', () => {
  it('quotes fields per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField('')).toBe('""');
    expect(csvField(null)).toBe('');
    expect(csvField(' spaced ')).toBe(' spaced ');
  });

  it('writes a header, nulls as empty fields and nested values as JSON text', () => {
    const f = createRowFormatter('csv');
    const batch = sampleBatch();
    const text = f.rows(batch, 0, 3) + f.finish(batch.schema);
    expect(text).toBe(['id,name,tags,empty', '1,plain,"[""a""]",""', '9007199254740993,"comma, ""quoted""\nline",[],x', '-3,,,""', ''].join('\n'));
  });

  it('writes the header alone when there are no rows', () => {
    const schema = sampleBatch().schema;
    expect(createRowFormatter('csv').finish(schema)).toBe('id,name,tags,empty\n');
  });
});

describe('table', () => {
  it('aligns columns under a header, right-aligns numbers, shows NULL and escapes control characters', () => {
    const f = createRowFormatter('table');
    const batch = sampleBatch();
    const text = f.rows(batch, 0, 3) + f.finish(batch.schema);
    const lines = text.split('\n');
    expect(lines[0]).toBe('id               | name                  | tags  | empty');
    expect(lines[1]).toBe('-----------------+-----------------------+-------+------');
    expect(lines[2]).toBe('               1 | plain                 | ["a"] |      ');
    expect(lines[3]).toBe('9007199254740993 | comma, "quoted"\\nline | []    | x    ');
    expect(lines[4]).toBe('              -3 | NULL                  | NULL  |      ');
    // Every line has the same width.
    expect(new Set(lines.filter(Boolean).map((l) => l.length)).size).toBe(1);
  });

  it('truncates long cells and keeps the first page widths for later rows', () => {
    const long = 'x'.repeat(100);
    const table = new arrow.Table({ s: arrow.vectorFromArray(['short', long, 'later-but-longer-than-short'], new arrow.Utf8()) });
    const f = createRowFormatter('table', { pageRows: 1, maxWidth: 10 });
    const batch = table.batches[0] as arrow.RecordBatch;
    const text = f.rows(batch, 0, 1) + f.rows(batch, 1, 3) + f.finish(batch.schema);
    expect(text.split('\n')).toEqual(['s    ', '-----', 'short', 'xxxx…', 'late…', '']);
  });

  it('prints the header for an empty result', () => {
    const schema = sampleBatch().schema;
    expect(createRowFormatter('table').finish(schema).split('\n')[0]).toBe('id | name | tags | empty');
  });
});

describe('toJsonText', () => {
  it('matches JSON.stringify for plain values, indented or not', () => {
    const value = { a: [1, 'two', { three: null, four: true }], b: {}, c: [], d: 'é"\n' };
    expect(toJsonText(value)).toBe(JSON.stringify(value));
    expect(toJsonText(value, 2)).toBe(JSON.stringify(value, null, 2));
  });

  it('prints bigints exactly, Maps as objects and non-finite numbers as strings', () => {
    const value = { v: 2n ** 64n, m: new Map([['app', -(2n ** 63n)]]), n: [NaN, -Infinity], skip: undefined };
    expect(toJsonText(value)).toBe('{"v":18446744073709551616,"m":{"app":-9223372036854775808},"n":["NaN","-Infinity"]}');
  });
});
