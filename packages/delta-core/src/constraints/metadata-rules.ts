/**
 * What a metadata commit (create, replace, property change, schema change) may do to a table's
 * rules, as Delta Spark decides it:
 * - CHECK constraints are defined when a table is created or replaced (its `delta.constraints.*`
 *   properties), or with ADD / DROP CONSTRAINT on a table with data, which check the existing rows
 *   first (`DeltaTable.addConstraint`); setting them as plain properties of an existing table is
 *   refused.
 * - New rules (a new or replaced table's constraints, invariants and generation expressions) must
 *   be valid before they are committed: parseable, bound to the schema, boolean where a condition
 *   is expected, deterministic, and a generation expression of its column's exact type reading no
 *   generated column or clock.
 * - A table that exists and keeps its data, whose protocol does not support generated columns,
 *   keeps none: generation expressions in its schema (copied there by old writers) are dropped at
 *   the next metadata change instead of turning on a feature its existing rows never obeyed.
 */
import { DeltaError } from '../errors.js';
import type { Metadata, Protocol } from '../log/actions.js';
import type { StructType } from '../schema/types.js';
import { bindCheckConstraint, bindGeneratedColumn, bindInvariant } from './bind-rules.js';
import { checkConstraintsOf, enforcesGeneratedColumns, generationExpressionsOf, invariantsOf, withoutGenerationExpressions } from './definitions.js';

export interface CurrentTable {
  readonly protocol: Protocol;
  readonly metadata: Metadata;
}

/** The schema a metadata commit stores (generation expressions dropped where the module doc says). */
export function schemaForCommit(schema: StructType, current: CurrentTable | undefined, keepsData: boolean): StructType {
  if (current === undefined || !keepsData || enforcesGeneratedColumns(current.protocol)) return schema;
  return withoutGenerationExpressions(schema);
}

export interface NextTable {
  readonly schema: StructType;
  readonly configuration: Readonly<Record<string, string>>;
  readonly protocol: Protocol;
}

/**
 * Throws unless the metadata commit of `next` follows the module's rules: INVALID_ARGUMENT for a
 * constraint property changed on a table that keeps its data; the parser's or binder's typed error
 * (PARSE_ERROR, COLUMN_NOT_FOUND, TYPE_MISMATCH...) or INVALID_ARGUMENT / INVALID_SCHEMA for an
 * invalid new rule.
 */
export function validateTableRules(next: NextTable, current: CurrentTable | undefined, keepsData: boolean): void {
  if (current !== undefined && keepsData) {
    refuseConstraintChanges(current.metadata.configuration, next.configuration);
    return;
  }
  const options = { timeZone: 'UTC', nowMicros: 0n, strict: true };
  for (const c of checkConstraintsOf(next.configuration)) bindCheckConstraint(c, next.schema, options);
  for (const i of invariantsOf(next.schema)) bindInvariant(i, next.schema, options);
  if (!enforcesGeneratedColumns(next.protocol)) return;
  const generated = generationExpressionsOf(next.schema);
  const names = new Set(generated.map((g) => g.field.name.toLowerCase()));
  for (const g of generated) {
    if (g.field.type.kind === 'primitive' && g.field.type.name === 'variant') {
      throw new DeltaError('INVALID_SCHEMA', `Column ${g.field.name} has type variant, which cannot be a generated column: variant values cannot be compared with the expression. Use another type.`, {
        details: { column: g.field.name },
      });
    }
    bindGeneratedColumn(g, next.schema, names, options);
  }
}

function refuseConstraintChanges(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): void {
  const old = new Map(checkConstraintsOf(before).map((c) => [c.property, c.text]));
  const now = new Map(checkConstraintsOf(after).map((c) => [c.property, c.text]));
  for (const [key, text] of now) {
    if (old.get(key) === text) continue;
    throw new DeltaError(
      'INVALID_ARGUMENT',
      `Table property ${key} defines a CHECK constraint, which cannot be set as a plain property of an existing table: the rows already in it were never checked. Nothing was changed. Use DeltaTable.addConstraint(name, expression) (ALTER TABLE ADD CONSTRAINT), which checks the existing rows first; to change a constraint, drop it (dropConstraint) and add it again.`,
      { details: { property: key } },
    );
  }
  for (const key of old.keys()) {
    if (now.has(key)) continue;
    throw new DeltaError('INVALID_ARGUMENT', `Table property ${key} (a CHECK constraint) cannot be removed as a plain property. Nothing was changed. Use DeltaTable.dropConstraint(name).`, {
      details: { property: key },
    });
  }
}
