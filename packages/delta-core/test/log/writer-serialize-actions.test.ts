import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/log/actions.js';
import { actionFromJson, parseActionLines } from '../../src/log/parse-actions.js';
import { serializeAction, serializeCommit } from '../../src/log/serialize-actions.js';
import { parseJson } from '../../src/util/json.js';
import { deltaRs, describeFixtures, FIXTURES, golden, kernel } from '../fixtures.js';

function tableRoots(): string[] {
  const out: string[] = [];
  const add = (d: string) => existsSync(d + '/_delta_log') && out.push(d);
  for (const g of readdirSync(FIXTURES + '/golden')) add(golden(g));
  for (const k of readdirSync(FIXTURES + '/kernel')) {
    add(kernel(k));
    add(kernel(k) + '/delta');
  }
  for (const d of readdirSync(FIXTURES + '/delta-rs')) add(deltaRs(d));
  return out;
}

function commitLines(root: string): string[] {
  const dir = root + '/_delta_log';
  return readdirSync(dir)
    .filter((f) => /^\d{20}\.json$/.test(f))
    .sort()
    .flatMap((f) => readFileSync(`${dir}/${f}`, 'utf8').split('\n'))
    .filter((l) => l.trim() !== '');
}

function parseLine(line: string): Action | undefined {
  try {
    return actionFromJson(parseJson(line));
  } catch {
    return undefined; // deliberately corrupt fixture lines
  }
}

describe('serializeAction', () => {
  it('omits absent optional fields and keeps null partition values', () => {
    const line = serializeAction({
      kind: 'add',
      add: { path: 'p=__HIVE_DEFAULT_PARTITION__/f.parquet', partitionValues: { p: null }, size: 10, modificationTime: 5, dataChange: true },
    });
    expect(line).toBe('{"add":{"path":"p=__HIVE_DEFAULT_PARTITION__/f.parquet","partitionValues":{"p":null},"size":10,"modificationTime":5,"dataChange":true}}');
  });

  it('writes 64-bit txn versions exactly and round-trips them', () => {
    const action: Action = { kind: 'txn', txn: { appId: 'app', version: 9223372036854775807n, lastUpdated: 1700000000000 } };
    const line = serializeAction(action);
    expect(line).toBe('{"txn":{"appId":"app","version":9223372036854775807,"lastUpdated":1700000000000}}');
    expect(parseLine(line)).toEqual(action);
  });

  it('keeps free-form commitInfo content, nested bigints included', () => {
    const action: Action = { kind: 'commitInfo', commitInfo: { timestamp: 1, operation: 'WRITE', operationParameters: { mode: 'Append' }, custom: { big: 12345678901234567890n, list: [1, 'x', null] } } };
    const line = serializeAction(action);
    expect(line).toBe('{"commitInfo":{"timestamp":1,"operation":"WRITE","operationParameters":{"mode":"Append"},"custom":{"big":12345678901234567890,"list":[1,"x",null]}}}');
  });

  it('rejects values without a JSON form', () => {
    expect(() => serializeAction({ kind: 'commitInfo', commitInfo: { x: NaN } })).toThrow(/commitInfo\.x/);
  });
});

describe('serializeCommit', () => {
  it('writes NDJSON with a trailing newline that parses back to the same actions', () => {
    const actions: Action[] = [
      { kind: 'commitInfo', commitInfo: { timestamp: 1, operation: 'WRITE' } },
      { kind: 'protocol', protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] } },
      { kind: 'domainMetadata', domainMetadata: { domain: 'delta.rowTracking', configuration: '{"rowIdHighWaterMark":4}', removed: false } },
    ];
    const bytes = serializeCommit(actions);
    const text = new TextDecoder().decode(bytes);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(4);
    expect(parseActionLines(bytes, 'mem')).toEqual(actions);
  });
});

describeFixtures('serializeAction against fixture logs', () => {
  it('round-trips every parseable action of every fixture commit', () => {
    let n = 0;
    for (const root of tableRoots()) {
      for (const line of commitLines(root)) {
        const a = parseLine(line);
        if (a === undefined) continue;
        expect(parseLine(serializeAction(a)), `${root}: ${line.slice(0, 120)}`).toEqual(a);
        n++;
      }
    }
    expect(n).toBeGreaterThan(2000);
  });

  // Written by Spark (and delta-rs/kernel in compact form): every non-commitInfo line must come out byte-identical.
  const exactTables = [
    kernel('stats-writing-all-types/delta'),
    kernel('cdf-table-with-cdc-and-dvs'),
    kernel('type-widening'),
    golden('data-reader-partition-values'),
    golden('data-reader-escaped-chars'),
    golden('log-replay-dv-key-cases'),
    golden('dv-with-columnmapping'),
    golden('v2-checkpoint-parquet'),
    deltaRs('table_with_liquid_clustering'),
    deltaRs('table_with_deletion_logs'),
  ];
  it.each(exactTables)('reproduces the lines of %s byte for byte', (root) => {
    let n = 0;
    for (const line of commitLines(root)) {
      const a = parseLine(line);
      if (a === undefined || a.kind === 'commitInfo') continue;
      expect(serializeAction(a)).toBe(line);
      n++;
    }
    expect(n).toBeGreaterThan(0);
  });
});
