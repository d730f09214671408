/**
 * CONSTRAINT_VIOLATION errors, worded as Delta Spark's `DeltaInvariantViolationException`:
 * "CHECK constraint <name> (<expression>) violated by row with values:" followed by one
 * ` - <column> : <value>` line per column the rule reads, then what was (not) done and the fix.
 */
import type { RecordBatch } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import { castToString } from '../expr/cast.js';
import { compileExpression } from '../expr/compile.js';
import type { TypedColumn } from '../expr/typed.js';
import type { BoundRule } from './bind-rules.js';

/** The values of `columns` in row `row` of `batch`, as Spark's text of each value ('null' for NULL). */
export function rowValues(columns: readonly TypedColumn[], batch: RecordBatch, row: number, timeZone: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of columns) {
    const v = compileExpression(c, { timeZone }).evaluate(batch).get(row);
    const text = v === null ? null : castToString(v, c.type, timeZone);
    out[c.path.join('.')] = text === null ? 'null' : String(text);
  }
  return out;
}

/** ` - col : value` lines of a row's values. */
export function valueLines(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([k, v]) => ` - ${k} : ${v}`)
    .join('\n');
}

const FIXES: Record<BoundRule['kind'], (rule: BoundRule) => string> = {
  check: (r) => `Every written row must make the constraint true (false and NULL both violate it): fix or filter the data, or drop the constraint (dropConstraint('${r.name}')) if it no longer applies.`,
  invariant: (r) => `Every written row must make the invariant of column ${r.column} true (false and NULL both violate it): fix or filter the data.`,
  generated: (r) => `Column ${r.column} is generated: omit it from the data to have it computed, or give exactly the value its expression computes (NULL where the expression is NULL).`,
};

/** The error for row `row` of `batch` violating `rule`; nothing was written. */
export function violationError(rule: BoundRule, batch: RecordBatch, row: number, timeZone: string): DeltaError {
  const values = rowValues(rule.columns, batch, row, timeZone);
  const lines = valueLines(values);
  return new DeltaError(
    'CONSTRAINT_VIOLATION',
    `CHECK constraint ${rule.name} (${rule.text}) violated by row with values:${lines === '' ? ' (none)' : '\n' + lines}\nNothing was written. ${FIXES[rule.kind](rule)}`,
    {
      details: {
        constraint: rule.name,
        expression: rule.text,
        kind: rule.kind,
        ...(rule.column === undefined ? {} : { column: rule.column }),
        values,
      },
    },
  );
}
