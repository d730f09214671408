import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/log/actions.js';
import { checkConflicts, type TransactionSummary } from '../../src/transaction/conflict-checker.js';
import { describeExpr } from '../../src/transaction/describe-expr.js';
import { and, cmp, col, inList, isNull, lit, not } from '../../src/expr/ast.js';
import { PROTOCOL_1_2, fakeAdd, fakeRemove, metadata } from './helpers.js';

/** The checker as a pure function: results are values, in Spark's order, first winner first. */

const base: TransactionSummary = {
  tableRoot: '/t',
  isolationLevel: 'WriteSerializable',
  readProtocol: PROTOCOL_1_2,
  metadata: metadata(),
  metadataChanged: false,
  protocolChanged: false,
  readWholeTable: false,
  readPredicates: [],
  readFiles: new Set(),
  readAppIds: new Set(),
  domains: new Set(),
  removedFiles: new Set(),
};

const info = (isBlindAppend: boolean): Action => ({ kind: 'commitInfo', commitInfo: { operation: 'WRITE', isBlindAppend } });
const a1 = fakeAdd('part=a/a1.parquet');

describe('checkConflicts', () => {
  it('returns ok for no winners and for winners that touch nothing the transaction depends on', () => {
    expect(checkConflicts(base, [])).toEqual({ ok: true });
    expect(checkConflicts(base, [{ version: 5, actions: [info(true), { kind: 'add', add: a1 }] }])).toEqual({ ok: true });
  });

  it('checks the protocol before the metadata', () => {
    const r = checkConflicts({ ...base, protocolChanged: true }, [
      { version: 5, actions: [info(false), { kind: 'protocol', protocol: { minReaderVersion: 1, minWriterVersion: 3 } }, { kind: 'metaData', metaData: metadata() }] },
    ]);
    expect(r).toMatchObject({ ok: false, code: 'PROTOCOL_CHANGED', details: { winningVersion: 5 } });
  });

  it('flags a winner that drops a feature the transaction read', () => {
    const r = checkConflicts({ ...base, readProtocol: { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'domainMetadata'] } }, [
      { version: 3, actions: [info(false), { kind: 'protocol', protocol: { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly'] } }] },
    ]);
    expect(r).toMatchObject({ ok: false, code: 'PROTOCOL_CHANGED', details: { droppedFeatures: ['domainMetadata'] } });
  });

  it('reports the first conflicting winner in version order', () => {
    const current = { ...base, readFiles: new Set(['part=a/a1.parquet']), removedFiles: new Set(['part=a/a1.parquet']) };
    const r = checkConflicts(current, [
      { version: 7, actions: [info(false), { kind: 'add', add: fakeAdd('part=b/x.parquet', 'b') }] },
      { version: 8, actions: [info(false), { kind: 'remove', remove: fakeRemove(a1) }] },
    ]);
    // Delete-read comes before delete-delete in the order of checks.
    expect(r).toMatchObject({ ok: false, code: 'CONCURRENT_DELETE_READ', details: { winningVersion: 8, path: 'part=a/a1.parquet' } });
    if (!r.ok) expect(r.message).toMatch(/version 8 \(WRITE\) removed file part=a\/a1\.parquet in partition part=a, which this transaction read\..*fix: retry/);
  });

  it('matches paths in their canonical form (encoded, absolute, relative)', () => {
    const current = { ...base, removedFiles: new Set(['part=a b/f.parquet']) };
    const r = checkConflicts(current, [{ version: 2, actions: [info(false), { kind: 'remove', remove: { path: 'file:///t/part%3Da%20b/f.parquet', dataChange: true } }] }]);
    expect(r).toMatchObject({ ok: false, code: 'CONCURRENT_DELETE_DELETE' });
  });

  it('counts blind appends as concurrent appends when the current transaction changes metadata', () => {
    const current = { ...base, metadataChanged: true, readPredicates: [{ description: 'part = a', mayMatch: () => true }] };
    const winner = { version: 2, actions: [info(true), { kind: 'add' as const, add: a1 }] };
    expect(checkConflicts(current, [winner])).toMatchObject({ ok: false, code: 'CONCURRENT_APPEND', details: { predicate: 'part = a' } });
    expect(checkConflicts({ ...current, metadataChanged: false }, [winner])).toEqual({ ok: true });
  });
});

describe('describeExpr', () => {
  it('prints predicates as SQL-like text', () => {
    const e = and(cmp('=', col('part'), lit('a')), not(isNull(col('id'))), inList(col('odd col'), [lit(1n), lit(2n)]));
    expect(describeExpr(e)).toBe("((part = 'a') AND (NOT (id IS NULL)) AND (`odd col` IN (1, 2)))");
  });
});
