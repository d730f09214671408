/**
 * Generated columns and constraints over datetime functions (year, month, make_date, ...), with
 * the rows Delta Spark's GeneratedColumnSuite asserts ("test partition transform expressions end
 * to end", "validateGeneratedColumns: unsupported expressions"). The datetime functions are added
 * by their own change: until they are in the registry these cases do not run (CAST-based
 * date/timestamp cases are in generated-columns.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../src/expr/functions/registry.js';
import type { StructField } from '../../src/schema/types.js';
import { field, primitive, struct } from '../../src/schema/types.js';
import { memoryTable, rejection, rowsSorted } from './helpers.js';

const HAVE_DATETIME = ['year', 'month', 'day', 'hour', 'make_date', 'make_timestamp', 'current_timestamp', 'current_date'].every((f) => FUNCTIONS.has(f));
const gen = (name: string, type: StructField['type'], expression: string): StructField => field(name, type, true, { 'delta.generationExpression': expression });
const TIMESTAMP = primitive('timestamp');
const DATE = primitive('date');
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe.runIf(HAVE_DATETIME)('generated columns over datetime functions', () => {
  it('partition transforms: make_date(year(t), ...) and make_timestamp(...) as Spark computes them', async () => {
    const schema = struct([
      field('time', TIMESTAMP),
      gen('year', DATE, 'make_date(year(time), 1, 1)'),
      gen('month', DATE, 'make_date(year(time), month(time), 1)'),
      gen('day', DATE, 'make_date(year(time), month(time), day(time))'),
      gen('hour', TIMESTAMP, 'make_timestamp(year(time), month(time), day(time), hour(time), 0, 0)'),
    ]);
    const { table, engine, root } = memoryTable();
    await table.create({ schema });
    await table.write({ rows: [{ time: '2020-10-11T12:30:30Z' }], schema: struct([field('time', TIMESTAMP)]) }, { mode: 'append' });
    expect(await rowsSorted(engine, root, 'time')).toEqual([
      { time: Date.parse('2020-10-11T12:30:30Z'), year: day('2020-01-01'), month: day('2020-10-01'), day: day('2020-10-11'), hour: Date.parse('2020-10-11T12:00:00Z') },
    ]);
  });

  it('year(ts) as a generated partition column', async () => {
    const schema = struct([field('ts', TIMESTAMP), gen('y', primitive('integer'), 'year(ts)')]);
    const { table } = memoryTable();
    await table.create({ schema, partitionBy: ['y'] });
    await table.write({ rows: [{ ts: '1999-12-31T23:59:59Z' }, { ts: '2000-01-01T00:00:00Z' }], schema: struct([field('ts', TIMESTAMP)]) }, { mode: 'append' });
    const parts = (await table.snapshot()).addFiles.map((a) => a.partitionValues['y']).sort();
    expect(parts).toEqual(['1999', '2000']);
    await rejection(table.write({ rows: [{ ts: '2000-06-01T00:00:00Z', y: 1999 }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
  });

  it('a generation expression may not depend on the clock; a CHECK constraint may', async () => {
    const e = await rejection(memoryTable().table.create({ schema: struct([field('a', primitive('integer')), gen('t', TIMESTAMP, 'current_timestamp()')]) }), 'INVALID_ARGUMENT');
    expect(e.message).toContain('depends on the current time');
    const schema = struct([field('d', DATE)]);
    const { table } = memoryTable();
    await table.create({ schema, properties: { 'delta.constraints.past': 'd <= current_date()' } });
    await table.write({ rows: [{ d: '2020-01-01' }], schema }, { mode: 'append' });
    await rejection(table.write({ rows: [{ d: '9999-01-01' }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
  });
});
