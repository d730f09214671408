import { describe, expect, it } from 'vitest';
import { bindPredicate } from '../../src/expr/bind.js';
import { parsePredicate } from '../../src/expr/parse.js';
import { isDeltaError, type DeltaError } from '../../src/errors.js';
import { decimal, field, primitive, struct } from '../../src/schema/types.js';

const schema = struct([
  field('id', primitive('long')),
  field('Part', primitive('string')),
  field('n', primitive('integer')),
  field('d', primitive('date')),
  field('ts', primitive('timestamp')),
  field('price', decimal(10, 2)),
  field('flag', primitive('boolean')),
  field('s', struct([field('x', primitive('double'))]), true, {}),
  field('mapped', primitive('long'), true, { 'delta.columnMapping.physicalName': 'col-abc' }),
]);

const bind = (text: string, options = {}) => bindPredicate(parsePredicate(text), schema, { partitionColumns: ['Part'], ...options });

function bindError(text: string): DeltaError {
  try {
    bind(text);
  } catch (e) {
    if (isDeltaError(e)) return e;
    throw e;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('bindPredicate', () => {
  it('resolves names case-insensitively, marks partition columns and maps physical names', () => {
    const e = bind("ID > 10 AND part = 'a' AND S.X < 1 AND mapped = 1", { columnMappingMode: 'name' });
    expect(e).toMatchObject({
      kind: 'and',
      args: [
        { kind: 'comparison', op: '>', left: { path: ['id'], partition: false }, right: { value: 10n } },
        { kind: 'comparison', left: { path: ['Part'], partition: true }, right: { value: 'a' } },
        { kind: 'comparison', left: { path: ['s', 'x'], physicalPath: ['s', 'x'] }, right: { value: 1 } },
        { kind: 'comparison', left: { physicalPath: ['col-abc'] }, right: { value: 1n } },
      ],
    });
  });

  it('lists available columns when a name is unknown', () => {
    const e = bindError('idd > 1');
    expect(e.code).toBe('COLUMN_NOT_FOUND');
    expect(e.message).toMatch(/Available: id, Part, n, d, ts, price, flag, s, mapped/);
    expect(bindError('s.y = 1').message).toMatch(/struct s has no field "y". Available: x/);
    expect(bindError('id.x = 1').message).toMatch(/has type long, so it has no field "x"/);
  });

  it('coerces literals to the column type', () => {
    expect(bind("d = '2020-01-02'")).toMatchObject({ right: { value: 18263 } });
    expect(bind("ts >= '1970-01-01 00:00:01'", { timeZone: 'America/Los_Angeles' })).toMatchObject({ right: { value: 8n * 3600n * 1_000_000n + 1_000_000n } });
    expect(bind("ts >= DATE '1970-01-02'")).toMatchObject({ right: { value: 86_400_000_000n } });
    expect(bind('price = 12.5')).toMatchObject({ right: { value: { unscaled: 1250n, scale: 2 } } });
    expect(bind("n = '7'")).toMatchObject({ right: { value: 7 } });
    expect(bind('flag')).toMatchObject({ kind: 'comparison', op: '=', right: { value: true } });
  });

  it('rewrites comparisons with values the column cannot hold into exact equivalents', () => {
    expect(bind('id > 1.5')).toMatchObject({ op: '>=', right: { value: 2n } });
    expect(bind('id <= -1.5')).toMatchObject({ op: '<=', right: { value: -2n } });
    expect(bind('id = 1.5')).toMatchObject({ kind: 'and', args: [{ op: '>=', right: { value: 2n } }, { op: '<=', right: { value: 1n } }] });
    expect(bind('price < 1.234')).toMatchObject({ op: '<=', right: { value: { unscaled: 123n, scale: 2 } } });
    expect(bind('id <=> 1.5')).toEqual({ kind: 'constant', value: false });
  });

  it('puts the column on the left and folds constants', () => {
    expect(bind('10 < id')).toMatchObject({ op: '>', left: { path: ['id'] }, right: { value: 10n } });
    expect(bind('1 = 1')).toEqual({ kind: 'constant', value: true });
    expect(bind('id = NULL')).toEqual({ kind: 'constant', value: null });
    expect(bind('id <=> NULL')).toMatchObject({ kind: 'isNull', negated: false });
    expect(bind('id IN (1, NULL, 2.5)')).toMatchObject({ kind: 'in', values: [1n], hasNull: true });
  });

  it('refuses comparisons that make no sense, saying how to fix them', () => {
    const e = bindError('Part = 5');
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/Quote the value as a string, e.g. Part = '5'/);
    expect(bindError("d = 'yesterday'").message).toMatch(/YYYY-MM-DD/);
    expect(bindError("id = 'abc'").message).toMatch(/Write an integer/);
    expect(bindError('id').message).toMatch(/is not a condition/);
    expect(bindError('s = 1').code).toBe('UNSUPPORTED_OPERATION');
    expect(bindError('Part < id').code).toBe('UNSUPPORTED_OPERATION');
  });
});
