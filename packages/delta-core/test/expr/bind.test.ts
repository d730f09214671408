import { describe, expect, it } from 'vitest';
import { and, call, cmp, col, lit, type Expr } from '../../src/expr/ast.js';
import { bindExpression, bindPredicate } from '../../src/expr/binder.js';
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

  it('lists available columns when a name is unknown, suggesting the closest', () => {
    const e = bindError('idd > 1');
    expect(e.code).toBe('COLUMN_NOT_FOUND');
    expect(e.message).toMatch(/did you mean "id"\?/);
    expect(e.message).toMatch(/Available: id, Part, n, d, ts, price, flag, s, mapped/);
    expect(bindError('s.y = 1').message).toMatch(/Struct s has no field "y". Fields: x/);
    expect(bindError('id.x = 1').message).toMatch(/has type long, so it has no field "x"/);
  });

  it('points at the offending part of the source with a caret', () => {
    const text = 'id > 1 AND nope = 2';
    const tree = and(cmp('>', col('id'), lit(1n)), cmp('=', { kind: 'column', path: ['nope'], span: [11, 15] }, lit(2n)));
    let err: DeltaError | undefined;
    try {
      bindPredicate(tree, schema, { source: text });
    } catch (e) {
      err = e as DeltaError;
    }
    expect(err?.code).toBe('COLUMN_NOT_FOUND');
    expect(err?.message).toContain(`  ${text}\n  ${' '.repeat(11)}^^^^`);
  });

  it('coerces literals to the column type as Spark does', () => {
    expect(bind("d = '2020-01-02'")).toMatchObject({ right: { value: 18263 } });
    expect(bind("ts >= '1970-01-01 00:00:01'", { timeZone: 'America/Los_Angeles' })).toMatchObject({ right: { value: 8n * 3600n * 1_000_000n + 1_000_000n } });
    expect(bind('price = 12.5')).toMatchObject({ right: { value: { unscaled: 1250n, scale: 2 } } });
    expect(bind("n = '7'")).toMatchObject({ right: { value: 7 } });
    // Spark casts the string to the integral type, truncating: '7.9' is 7.
    expect(bind("n = '7.9'")).toMatchObject({ right: { value: 7 } });
    expect(bind('flag')).toMatchObject({ kind: 'column', path: ['flag'] });
  });

  it('rewrites comparisons with values the column cannot hold into exact equivalents', () => {
    expect(bind('id > 1.5')).toMatchObject({ op: '>=', right: { value: 2n } });
    expect(bind('id <= -1.5')).toMatchObject({ op: '<=', right: { value: -2n } });
    expect(bind('id = 1.5')).toMatchObject({ kind: 'and', args: [{ op: '>=', right: { value: 2n } }, { op: '<=', right: { value: 1n } }] });
    expect(bind('price < 1.234')).toMatchObject({ op: '<=', right: { value: { unscaled: 123n, scale: 2 } } });
    expect(bindPredicate(cmp('>', col('n'), lit(2.5)), schema)).toMatchObject({ op: '>=', left: { path: ['n'] }, right: { value: 3 } });
    expect(bind('id <=> 1.5')).toMatchObject({ kind: 'literal', type: primitive('boolean'), value: false });
  });

  it('puts the column on the left and folds constants', () => {
    expect(bind('10 < id')).toMatchObject({ op: '>', left: { path: ['id'] }, right: { value: 10n } });
    expect(bind('1 = 1')).toMatchObject({ kind: 'literal', value: true });
    expect(bind('id = NULL')).toMatchObject({ kind: 'literal', value: null });
    expect(bind('id <=> NULL')).toMatchObject({ kind: 'isNull', negated: false });
    expect(bind('id IN (1, NULL, 2.5)')).toMatchObject({ kind: 'in', arg: { path: ['id'] }, list: [{ value: 1n }, { value: null }] });
  });

  it('casts mismatched sides the way Spark does instead of refusing', () => {
    // string vs integral: the string side is cast to the integral type.
    expect(bind('Part = 5')).toMatchObject({ kind: 'comparison', left: { kind: 'cast', type: primitive('integer'), arg: { path: ['Part'] } } });
    expect(bind('Part < id')).toMatchObject({ kind: 'comparison', left: { kind: 'cast', type: primitive('long') }, right: { path: ['id'] } });
    // Text that does not convert is NULL, so the comparison is unknown.
    expect(bind("d = 'yesterday'")).toMatchObject({ kind: 'literal', value: null });
    expect(bind("id = 'abc'")).toMatchObject({ kind: 'literal', value: null });
  });

  it('refuses what Spark refuses, with typed errors', () => {
    expect(bindError('id').code).toBe('TYPE_MISMATCH');
    expect(bindError('id').message).toMatch(/must be boolean/);
    expect(bindError('s = 1').code).toBe('TYPE_MISMATCH');
    const fails = (e: Expr): string => {
      try {
        bindPredicate(e, schema);
      } catch (x) {
        return (x as DeltaError).code;
      }
      return 'ok';
    };
    expect(fails(cmp('=', call('nosuch', col('id')), lit(1n)))).toBe('UNKNOWN_FUNCTION');
    expect(fails(cmp('=', call('coalesce'), lit(1n)))).toBe('WRONG_ARGUMENT_COUNT');
    expect(fails(cmp('=', call('coalesce', col('id'), col('d')), lit(1n)))).toBe('TYPE_MISMATCH');
    expect(fails(cmp('=', { kind: 'call', name: 'abs', args: [col('id')], distinct: true }, lit(1n)))).toBe('UNSUPPORTED_OPERATION');
    expect(bindError('abs(DISTINCT id) = 1').message).toMatch(/DISTINCT inside abs\(…\) is only allowed in aggregate queries/);
  });
});

describe('function argument coercion', () => {
  const s = struct([field('arr', { kind: 'array', elementType: primitive('integer'), containsNull: true }), field('n', primitive('integer')), field('b', primitive('binary'))]);
  const codeOf = (e: Expr): string => {
    try {
      bindExpression(e, s);
      return 'ok';
    } catch (x) {
      return (x as DeltaError).code;
    }
  };
  it('inserts only the implicit casts Spark inserts', () => {
    expect(codeOf(call('upper', col('n')))).toBe('ok'); // atomic → string
    expect(codeOf(call('upper', col('b')))).toBe('ok'); // binary → string
    expect(codeOf(call('concat_ws', lit(','), col('arr')))).toBe('ok'); // array<int> → array<string>
    expect(codeOf(call('upper', col('arr')))).toBe('TYPE_MISMATCH'); // no implicit array → string
    expect(codeOf(call('sqrt', col('arr')))).toBe('TYPE_MISMATCH');
  });
});
