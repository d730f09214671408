/**
 * Where a table keeps the rules every written row must satisfy, read from its metadata (protocol
 * "CHECK Constraints", "Column Invariants", "Generated Columns"):
 * - CHECK constraints: table properties `delta.constraints.<name>` = SQL boolean expression; the
 *   name is stored lower-case (names are case-insensitive).
 * - Column invariants: field metadata `delta.invariants` = JSON text
 *   `{"expression":{"expression":"<SQL>"}}`, on top-level fields and fields nested in structs (not
 *   inside arrays or maps, as Delta Spark). The expression names columns by their full path.
 * - Generated columns: top-level field metadata `delta.generationExpression` = SQL expression of
 *   the other (non-generated) columns. A table enforces them only when its protocol supports the
 *   `generatedColumns` writer feature (legacy writer version 4, or listed at version 7): old
 *   writers copied the metadata into tables that do not, and those columns are plain columns.
 */
import { DeltaError } from '../errors.js';
import type { Protocol } from '../log/actions.js';
import { supportedWriterFeatures } from '../log/protocol-check.js';
import type { StructField, StructType } from '../schema/types.js';

export const CONSTRAINT_PREFIX = 'delta.constraints.';
export const INVARIANTS_KEY = 'delta.invariants';
export const GENERATION_EXPRESSION_KEY = 'delta.generationExpression';

export interface CheckConstraintDef {
  /** The name as stored (the property key after the prefix). */
  readonly name: string;
  /** The property key, e.g. `delta.constraints.positive_id`. */
  readonly property: string;
  readonly text: string;
}

export interface InvariantDef {
  /** Path of the field carrying the invariant (logical names). */
  readonly path: readonly string[];
  readonly text: string;
}

export interface GeneratedColumnDef {
  readonly field: StructField;
  /** Position among the schema's top-level fields. */
  readonly index: number;
  readonly text: string;
}

/** True for a table property that defines a CHECK constraint (prefix matched case-insensitively). */
export function isConstraintProperty(key: string): boolean {
  return key.toLowerCase().startsWith(CONSTRAINT_PREFIX);
}

/** The property key of constraint `name` (lower-cased, as Delta Spark stores it). */
export function constraintProperty(name: string): string {
  return CONSTRAINT_PREFIX + name.toLowerCase();
}

/** The table's CHECK constraints, in property order. */
export function checkConstraintsOf(configuration: Readonly<Record<string, string>>): CheckConstraintDef[] {
  return Object.entries(configuration)
    .filter(([k]) => isConstraintProperty(k))
    .map(([property, text]) => ({ name: property.slice(CONSTRAINT_PREFIX.length), property, text }));
}

/** The constraint named `name` (case-insensitively), if the table has it. */
export function findConstraint(configuration: Readonly<Record<string, string>>, name: string): CheckConstraintDef | undefined {
  const lower = name.toLowerCase();
  return checkConstraintsOf(configuration).find((c) => c.name.toLowerCase() === lower);
}

/** The column invariants of `schema`: top-level fields and fields nested in structs. */
export function invariantsOf(schema: StructType): InvariantDef[] {
  const out: InvariantDef[] = [];
  const walk = (fields: readonly StructField[], parents: readonly string[]): void => {
    for (const f of fields) {
      const path = [...parents, f.name];
      const raw = f.metadata[INVARIANTS_KEY];
      if (raw !== undefined) out.push({ path, text: invariantExpression(raw, path) });
      if (f.type.kind === 'struct') walk(f.type.fields, path);
    }
  };
  walk(schema.fields, []);
  return out;
}

/** The SQL text inside a `delta.invariants` value (JSON text, or the parsed object). */
function invariantExpression(raw: unknown, path: readonly string[]): string {
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
  }
  const inner = (parsed as { expression?: { expression?: unknown } } | undefined)?.expression?.expression;
  if (typeof inner !== 'string') {
    throw new DeltaError(
      'INVALID_SCHEMA',
      `Column ${path.join('.')} has a ${INVARIANTS_KEY} value this library does not recognize (${JSON.stringify(raw)}); the protocol defines {"expression":{"expression":"<SQL>"}}. Nothing was written. Write to the table with a client that understands this invariant.`,
      { details: { column: path.join('.') } },
    );
  }
  return inner;
}

/** The top-level fields of `schema` carrying a generation expression (enforced or not). */
export function generationExpressionsOf(schema: StructType): GeneratedColumnDef[] {
  const out: GeneratedColumnDef[] = [];
  schema.fields.forEach((field, index) => {
    const text = field.metadata[GENERATION_EXPRESSION_KEY];
    if (typeof text === 'string') out.push({ field, index, text });
  });
  return out;
}

/** Whether a table with `protocol` enforces generation expressions (its writers must). */
export function enforcesGeneratedColumns(protocol: Protocol): boolean {
  return supportedWriterFeatures(protocol).has('generatedColumns');
}

/** `schema` without generation expressions (what a table whose protocol lacks the feature keeps). */
export function withoutGenerationExpressions(schema: StructType): StructType {
  if (generationExpressionsOf(schema).length === 0) return schema;
  return {
    kind: 'struct',
    fields: schema.fields.map((f) => {
      if (!(GENERATION_EXPRESSION_KEY in f.metadata)) return f;
      const metadata = { ...f.metadata };
      delete metadata[GENERATION_EXPRESSION_KEY];
      return { ...f, metadata };
    }),
  };
}

/** Whether any field, at any struct nesting level, carries a column invariant. */
export function hasInvariants(schema: StructType): boolean {
  const walk = (fields: readonly StructField[]): boolean => fields.some((f) => INVARIANTS_KEY in f.metadata || (f.type.kind === 'struct' && walk(f.type.fields)));
  return walk(schema.fields);
}
