import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { parseActionLines } from '../../src/log/parse-actions.js';
import { FIXTURES, describeFixtures } from '../fixtures.js';
import { bytes } from './helpers.js';

function parseError(text: string, path = '/t/_delta_log/00000000000000000007.json'): unknown {
  try {
    parseActionLines(bytes(text), path);
  } catch (e) {
    return e;
  }
  throw new Error('expected a parse failure');
}

describe('parseActionLines', () => {
  it('skips empty lines, tolerates a missing final newline and CRLF, ignores unknown keys and fields', () => {
    const text = [
      '{"commitInfo":{"timestamp":5,"operation":"WRITE","custom":{"x":1}}}',
      '',
      '{"protocol":{"minReaderVersion":1,"minWriterVersion":2,"future":true}}\r',
      '   ',
      '{"someFutureAction":{"a":1}}',
      '{"add":{"path":"a%20b","partitionValues":{"p":null},"size":10,"modificationTime":3,"dataChange":true,"stats":null,"tags":null,"deletionVector":null}}',
    ].join('\n');
    const actions = parseActionLines(bytes(text), '/t/_delta_log/x.json');
    expect(actions.map((a) => a.kind)).toEqual(['commitInfo', 'protocol', 'add']);
    const add = actions[2]!.kind === 'add' ? actions[2].add : undefined;
    expect(add).toMatchObject({ path: 'a%20b', partitionValues: { p: null }, size: 10, dataChange: true });
    expect(add?.stats).toBeUndefined();
    expect(add?.deletionVector).toBeUndefined();
    const info = actions[0]!.kind === 'commitInfo' ? actions[0].commitInfo : undefined;
    expect(info?.custom).toEqual({ x: 1 });
    expect(actions[1]).toEqual({ kind: 'protocol', protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
  });

  it('names the file and 1-based line of invalid JSON', () => {
    const e = parseError('{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}\n\n{"add":{"path":');
    expect(isDeltaError(e, 'CORRUPT_LOG')).toBe(true);
    expect((e as Error).message).toContain('/t/_delta_log/00000000000000000007.json line 3');
    expect((e as Error).message).toMatch(/restore the file from a backup or repair that line/);
  });

  it('names the missing required field and its line', () => {
    const e = parseError('{"commitInfo":{}}\n{"add":{"path":"a","partitionValues":{},"modificationTime":1,"dataChange":true}}\n');
    expect(isDeltaError(e, 'CORRUPT_LOG')).toBe(true);
    expect((e as Error).message).toContain('line 2');
    expect((e as Error).message).toContain('add.size');
  });

  it('rejects wrong types, non-object lines and two actions on one line', () => {
    expect((parseError('{"remove":{"path":"a","dataChange":"yes"}}') as Error).message).toContain('remove.dataChange must be a boolean');
    expect((parseError('[1,2]') as Error).message).toContain('expected a JSON object');
    expect((parseError('{"add":{"path":"a","partitionValues":{},"size":1,"modificationTime":1,"dataChange":true},"remove":{"path":"a","dataChange":true}}') as Error).message).toContain(
      'two actions',
    );
    expect((parseError('{"add":{"path":"a","partitionValues":{"p":1},"size":1,"modificationTime":1,"dataChange":true}}') as Error).message).toContain('add.partitionValues.p');
  });

  it('keeps txn.version as an exact bigint and refuses to round other longs', () => {
    const [txn] = parseActionLines(bytes('{"txn":{"appId":"app","version":9007199254740993,"lastUpdated":null}}'), '/x.json');
    expect(txn).toEqual({ kind: 'txn', txn: { appId: 'app', version: 9007199254740993n, lastUpdated: undefined } });
    const e = parseError('{"add":{"path":"a","partitionValues":{},"size":9007199254740993,"modificationTime":1,"dataChange":true}}');
    expect(isDeltaError(e, 'PRECISION_LOSS')).toBe(true);
    expect((e as Error).message).toContain('line 1');
    expect((e as Error).message).toContain('9007199254740993');
  });

  it('reads deletion vectors without decoding pathOrInlineDv and treats null offset as absent', () => {
    const [a] = parseActionLines(
      bytes('{"add":{"path":"p","partitionValues":{},"size":1,"modificationTime":1,"dataChange":true,"deletionVector":{"storageType":"u","pathOrInlineDv":"ab%20^","offset":null,"sizeInBytes":36,"cardinality":2}}}'),
      '/x.json',
    );
    expect(a?.kind === 'add' && a.add.deletionVector).toEqual({ storageType: 'u', pathOrInlineDv: 'ab%20^', offset: undefined, sizeInBytes: 36, cardinality: 2 });
  });

  it('uses a plain add object as parsed, and normalizes any other add the general way', () => {
    const lines = [
      '{"add":{"path":"a=1/f.parquet","partitionValues":{"a":"1","b":null},"size":10,"modificationTime":1700000000000,"dataChange":true,"stats":"{\\"numRecords\\":3}","tags":{"t":"v"},"baseRowId":4}}',
      '{"add":{"path":"g.parquet","partitionValues":{},"size":1,"modificationTime":2,"dataChange":false,"stats":null,"extra":{"x":1}}}',
      '{"add":{"path":"h.parquet","partitionValues":{},"size":1,"modificationTime":2,"dataChange":true,"__proto__":{"size":5}}}',
    ];
    const adds = parseActionLines(bytes(lines.join('\n')), '/x.json').map((a) => (a.kind === 'add' ? a.add : undefined));
    expect(adds[0]).toEqual({ path: 'a=1/f.parquet', partitionValues: { a: '1', b: null }, size: 10, modificationTime: 1700000000000, dataChange: true, stats: '{"numRecords":3}', tags: { t: 'v' }, baseRowId: 4 });
    expect(Object.keys(adds[0]!).sort()).toEqual(['baseRowId', 'dataChange', 'modificationTime', 'partitionValues', 'path', 'size', 'stats', 'tags']);
    // An unknown field is dropped and a null one is absent: the general path copies.
    expect(adds[1]).toEqual({ path: 'g.parquet', partitionValues: {}, size: 1, modificationTime: 2, dataChange: false });
    expect(adds[1]).not.toHaveProperty('extra');
    expect(adds[1]!.stats).toBeUndefined();
    // A "__proto__" member is data for JSON.parse; it never reaches the AddFile or its prototype.
    expect(Object.getPrototypeOf(adds[2])).toBe(Object.prototype);
    expect(adds[2]!.size).toBe(1);
    expect(Object.keys(adds[2]!)).not.toContain('__proto__');
  });

  it('still validates plain-shaped adds: wrong types, fractions and unsafe integers in any integer field', () => {
    const add = (fields: string) => `{"add":{"path":"p","partitionValues":{},"dataChange":true,${fields}}}`;
    const typeError = parseError(add('"size":"10","modificationTime":1'));
    expect(isDeltaError(typeError, 'CORRUPT_LOG')).toBe(true);
    expect((typeError as Error).message).toContain('add.size');
    expect(isDeltaError(parseError(add('"size":1.5,"modificationTime":1')), 'CORRUPT_LOG')).toBe(true);
    expect(isDeltaError(parseError('{"add":{"path":"p","partitionValues":{"a":1},"size":1,"modificationTime":1,"dataChange":true}}'), 'CORRUPT_LOG')).toBe(true);
    for (const fields of ['"size":1,"modificationTime":12345678901234567', '"size":1,"modificationTime":1,"baseRowId":-9007199254740993', '"size":1,"modificationTime":1,"defaultRowCommitVersion":18446744073709551615']) {
      const e = parseError(add(fields));
      expect(isDeltaError(e, 'PRECISION_LOSS'), fields).toBe(true);
      // The message quotes the exact value, read again losslessly.
      expect((e as Error).message).toContain(/-?\d{16,}/.exec(fields)![0]);
    }
  });

  it('reads a line with a long digit run in a string (stats) natively, and a long txn version exactly', () => {
    const stats = JSON.stringify(JSON.stringify({ numRecords: 1, minValues: { id: 12345678901234567890n.toString() } }));
    const text = [
      `{"add":{"path":"p","partitionValues":{},"size":1,"modificationTime":1,"dataChange":true,"stats":${stats}}}`,
      '{"txn":{"appId":"x","version":12345678901234567890}}',
    ].join('\n');
    const [a, t] = parseActionLines(bytes(text), '/x.json');
    expect(a?.kind === 'add' && a.add.stats).toBe(JSON.parse(stats));
    expect(t?.kind === 'txn' && t.txn.version).toBe(12345678901234567890n);
  });

  it('fails on invalid UTF-8 with CORRUPT_LOG naming the file', () => {
    let err: unknown;
    try {
      parseActionLines(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), '/t/_delta_log/00000000000000000001.json');
    } catch (e) {
      err = e;
    }
    expect(isDeltaError(err, 'CORRUPT_LOG')).toBe(true);
    expect((err as Error).message).toContain('00000000000000000001.json');
  });
});

function* commitFiles(dir: string, depth = 0): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (depth < 6 && name !== 'bench') yield* commitFiles(p, depth + 1);
    } else if (/^\d{20}\.json$/.test(name) && dir.endsWith('_delta_log')) yield p;
  }
}

describeFixtures('parseActionLines on every fixture commit', () => {
  it('parses every commit file of every fixture table, with one action per non-empty line', () => {
    let files = 0;
    const failures: string[] = [];
    for (const path of commitFiles(FIXTURES)) {
      files++;
      const raw = readFileSync(path);
      try {
        const actions = parseActionLines(raw, path);
        const lines = raw.toString('utf8').split('\n').filter((l) => l.trim() !== '');
        const known = lines.filter((l) => /^\{"(add|remove|metaData|protocol|txn|commitInfo|cdc|domainMetadata|checkpointMetadata|sidecar)"/.test(l.trim()));
        if (actions.length !== known.length) failures.push(`${path}: ${actions.length} actions for ${known.length} action lines`);
      } catch (e) {
        failures.push(`${path}: ${(e as Error).message}`);
      }
    }
    expect(files).toBeGreaterThan(500);
    expect(failures).toEqual([]);
  });
});
