import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeOnce } from '../../src/log/paths.js';
import {
  HIVE_DEFAULT_PARTITION,
  addFilePath,
  dataFileName,
  encodeLogPath,
  escapePartitionPathSegment,
  partitionDirectory,
} from '../../src/write/partition-paths.js';
import { describeFixtures, FIXTURES, golden } from '../fixtures.js';

interface LoggedAdd {
  table: string;
  partitionColumns: string[];
  partitionValues: Record<string, string | null>;
  path: string;
}

/** Every table directory (with a `_delta_log`) under the shared fixtures, hive sub-tables included. */
function fixtureTables(): string[] {
  const out: string[] = [];
  const add = (dir: string) => {
    if (existsSync(dir + '/_delta_log')) out.push(dir);
  };
  for (const g of readdirSync(FIXTURES + '/golden')) add(golden(g));
  for (const h of readdirSync(golden('hive'))) add(`${golden('hive')}/${h}`);
  for (const k of readdirSync(FIXTURES + '/kernel')) {
    add(`${FIXTURES}/kernel/${k}`);
    add(`${FIXTURES}/kernel/${k}/delta`);
  }
  for (const d of readdirSync(FIXTURES + '/delta-rs')) add(`${FIXTURES}/delta-rs/${d}`);
  return out;
}

/** Adds of partitioned tables, with the partition column order of the metadata in force. */
function partitionedAdds(table: string): LoggedAdd[] {
  const out: LoggedAdd[] = [];
  let partitionColumns: string[] = [];
  const commits = readdirSync(table + '/_delta_log').filter((f) => /^\d{20}\.json$/.test(f)).sort();
  for (const f of commits) {
    for (const line of readFileSync(`${table}/_delta_log/${f}`, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let action: { metaData?: { partitionColumns: string[] }; add?: { path: string; partitionValues: Record<string, string | null> } };
      try {
        action = JSON.parse(line);
      } catch {
        continue; // some fixtures hold deliberately corrupt lines
      }
      if (action.metaData) partitionColumns = action.metaData.partitionColumns;
      const add = action.add;
      if (add && partitionColumns.length > 0 && !/^[a-z]+:|^\//.test(add.path)) {
        out.push({ table, partitionColumns, partitionValues: add.partitionValues, path: add.path });
      }
    }
  }
  return out;
}

/**
 * Partition value keys are physical names under column mapping; the metadata lists logical names.
 * Map by position when the key sets differ (one partition column) or by name otherwise.
 */
function keysInOrder(a: LoggedAdd): string[] {
  const keys = Object.keys(a.partitionValues);
  return a.partitionColumns.every((c) => c in a.partitionValues) ? a.partitionColumns : keys;
}

describe('escapePartitionPathSegment', () => {
  it('escapes exactly the Hive set, upper-case hex', () => {
    expect(escapePartitionPathSegment('a b+c@d!e$f&g,h;i<j>k|l`m}n~')).toBe('a b+c@d!e$f&g,h;i<j>k|l`m}n~');
    expect(escapePartitionPathSegment('"#%\'*/:=?\\\x7f{[]^')).toBe('%22%23%25%27%2A%2F%3A%3D%3F%5C%7F%7B%5B%5D%5E');
    expect(escapePartitionPathSegment('\x01\x1f\n')).toBe('%01%1F%0A');
    expect(escapePartitionPathSegment('é日本')).toBe('é日本');
  });
});

describe('partitionDirectory', () => {
  it('orders by partition columns and writes null and empty string as the Hive default', () => {
    expect(partitionDirectory(['b', 'a'], { a: '1', b: null })).toBe(`b=${HIVE_DEFAULT_PARTITION}/a=1`);
    expect(partitionDirectory(['a'], { a: '' })).toBe(`a=${HIVE_DEFAULT_PARTITION}`);
    expect(partitionDirectory(['a'], { a: 'null' })).toBe('a=null');
    expect(partitionDirectory([], {})).toBe('');
  });

  it('escapes column names too', () => {
    expect(partitionDirectory(['a=b'], { 'a=b': 'x' })).toBe('a%3Db=x');
  });
});

describe('encodeLogPath', () => {
  it('quotes like java.net.URI paths and decodes back once', () => {
    const raw = 'p=a b%3A/q=x#y?z"<>[\\]^`{|}/file\u00a0\u0085é😀@+=$&,;:!~*\'().parquet';
    const enc = encodeLogPath(raw);
    expect(enc).toBe('p=a%20b%253A/q=x%23y%3Fz%22%3C%3E%5B%5C%5D%5E%60%7B%7C%7D/file%C2%A0%C2%85é😀@+=$&,;:!~*\'().parquet');
    expect(decodeOnce(enc)).toBe(raw);
  });
});

describe('dataFileName', () => {
  it('follows the Spark pattern with a fresh v4 UUID', () => {
    const a = dataFileName();
    expect(a).toMatch(/^part-00000-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-c000\.snappy\.parquet$/);
    expect(dataFileName()).not.toBe(a);
    expect(dataFileName({ partIndex: 12, codec: 'zstd', uuid: 'u', fileCounter: 1 })).toBe('part-00012-u-c001.zstd.parquet');
    expect(dataFileName({ codec: 'uncompressed', uuid: 'u' })).toBe('part-00000-u-c000.parquet');
  });
});

/**
 * Writers that do not Hive-escape partition directories, whose paths therefore cannot (and must
 * not) be reproduced: `timestamp-partitioned-table` keeps `:` unescaped in `time=…T03:06:40…Z`.
 */
const NON_HIVE_WRITERS = new Set(['timestamp-partitioned-table']);

describeFixtures('add.path encoding against fixture logs', () => {
  it('reproduces every Hive-layout add.path from its partition values', () => {
    let checked = 0;
    const tables = new Set<string>();
    for (const table of fixtureTables()) {
      if (NON_HIVE_WRITERS.has(table.split('/').pop()!)) continue;
      for (const add of partitionedAdds(table)) {
        const cols = keysInOrder(add);
        const firstDir = add.path.split('/')[0]!;
        // Only Hive layouts: delta-rs/kernel writers with column mapping may use random prefixes.
        if (!decodeOnce(firstDir).startsWith(escapePartitionPathSegment(cols[0]!) + '=')) continue;
        const fileName = decodeOnce(add.path.slice(add.path.lastIndexOf('/') + 1));
        expect(addFilePath(cols, add.partitionValues, fileName), `${table}: ${add.path}`).toBe(add.path);
        checked++;
        tables.add(table.replace(FIXTURES + '/', ''));
      }
    }
    // The tables named in protocol-notes §4.3 must be among those checked.
    for (const t of ['golden/hive/delta/deltatbl-special-chars-in-partition-column', 'golden/data-reader-escaped-chars/delta', 'golden/data-reader-partition-values/delta', 'golden/kernel-timestamp-pst/delta']) {
      expect([...tables]).toContain(t);
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('encodes the special-character file names of log-replay-special-characters', () => {
    const log = readFileSync(golden('log-replay-special-characters') + '/_delta_log/00000000000000000000.json', 'utf8');
    const path = /"add":\{"path":"([^"]+)"/.exec(log)![1]!;
    expect(path).toBe('special%20p@%23h');
    expect(addFilePath([], {}, decodeOnce(path))).toBe(path);
  });
});
