/**
 * Write-time checks of a table's CHECK constraints (`delta.constraints.<name>`), column invariants
 * (`delta.invariants` in field metadata) and generated columns (`delta.generationExpression`),
 * applied to every batch of new rows (appends, overwrites and DML alike) before it is written.
 *
 * Semantics (Delta Spark's): a row violates a CHECK constraint or an invariant when the expression
 * is false or NULL. A generated column missing from the data is computed from the row; one the
 * data gives must equal the expression's value null-safely (`column <=> expression`). The first
 * violating row stops the write with CONSTRAINT_VIOLATION naming the rule and showing the row's
 * values. Rules are parsed and bound once per write (see `compileWriteChecks`).
 */
import { Data, RecordBatch, Struct, util } from 'apache-arrow';
import { bindCheckConstraint, bindGeneratedColumn, bindInvariant, type BoundGeneratedColumn, type BoundRule } from '../constraints/bind-rules.js';
import { checkConstraintsOf, enforcesGeneratedColumns, generationExpressionsOf, invariantsOf } from '../constraints/definitions.js';
import { violationError } from '../constraints/violation.js';
import { DeltaError } from '../errors.js';
import { TRUE } from '../expr/compare.js';
import { compileExpression, type CompiledExpr } from '../expr/compile.js';
import { vecToArrow } from '../expr/vector.js';
import type { Metadata, Protocol } from '../log/actions.js';
import { conformBatch, conformedSchema } from '../schema/conform.js';
import type { StructType } from '../schema/types.js';

export interface WriteChecks {
  /** True when the table has any constraint, invariant or generated column to enforce. */
  readonly active: boolean;
  /**
   * `batch` in the table's logical shape, with generated columns computed where the batch lacks
   * them (and those listed in `recomputeGenerated` recomputed), after checking every constraint,
   * invariant and given generated value. Throws CONSTRAINT_VIOLATION naming the constraint and
   * showing an offending row; nothing is written then.
   *
   * `batch` may have any subset of the table's columns, by logical name (case-insensitive), in any
   * order and in types the table type holds exactly; absent columns are null (absent generated
   * columns computed). A batch already in the table's logical shape costs nothing to reshape.
   * `recomputeGenerated` names generated columns to compute even when the batch has them (DML
   * that changed their inputs); naming another column throws INVALID_ARGUMENT.
   */
  apply(batch: RecordBatch, options?: { readonly recomputeGenerated?: readonly string[] }): RecordBatch;
}

export interface WriteChecksOptions {
  /** IANA session time zone for expressions. Default UTC. */
  readonly timeZone?: string;
  /** `current_timestamp()` of the statement, µs. */
  readonly nowMicros?: bigint;
  /**
   * The table's protocol. Generation expressions are enforced only when it supports the
   * `generatedColumns` writer feature (as Delta Spark: tables old writers created with the
   * metadata but without the feature have plain columns). Default: enforced.
   */
  readonly protocol?: Protocol;
}

interface Generated {
  readonly bound: BoundGeneratedColumn;
  readonly value: CompiledExpr;
  readonly rule: CompiledRule;
}

interface CompiledRule {
  readonly bound: BoundRule;
  readonly condition: CompiledExpr;
}

/**
 * The checks a table's metadata asks of every write. Parses and binds every rule now, so a rule
 * this library cannot evaluate fails before anything is written (with the parser's or binder's
 * typed error, naming the rule).
 */
export function compileWriteChecks(metadata: Metadata, schema: StructType, options: WriteChecksOptions = {}): WriteChecks {
  const timeZone = options.timeZone ?? 'UTC';
  const nowMicros = options.nowMicros ?? BigInt(Date.now()) * 1000n;
  const bindOptions = { timeZone, nowMicros };
  const compile = (rule: BoundRule): CompiledRule => ({ bound: rule, condition: compileExpression(rule.condition, bindOptions) });

  const definitions = options.protocol === undefined || enforcesGeneratedColumns(options.protocol) ? generationExpressionsOf(schema) : [];
  const generatedNames = new Set(definitions.map((d) => d.field.name.toLowerCase()));
  const generated: Generated[] = definitions.map((d) => {
    const bound = bindGeneratedColumn(d, schema, generatedNames, bindOptions);
    return { bound, value: compileExpression(bound.value, bindOptions), rule: compile(bound.rule) };
  });
  const rules: CompiledRule[] = [
    ...checkConstraintsOf(metadata.configuration).map((c) => compile(bindCheckConstraint(c, schema, bindOptions))),
    ...invariantsOf(schema).map((i) => compile(bindInvariant(i, schema, bindOptions))),
  ];
  const active = generated.length > 0 || rules.length > 0;
  const arrowSchema = conformedSchema(schema);

  return {
    active,
    apply(batch, applyOptions = {}) {
      const recompute = recomputedColumns(applyOptions.recomputeGenerated, generated);
      const present = new Set(batch.schema.fields.map((f) => f.name.toLowerCase()));
      let out = util.compareSchemas(batch.schema, arrowSchema) ? batch : conformBatch(batch, schema, { columnMapping: 'none', subMicrosecond: 'error' });
      if (!active || out.numRows === 0) return out;
      const given: CompiledRule[] = [];
      const children = [...out.data.children];
      let computed = false;
      for (const g of generated) {
        const name = g.bound.field.name.toLowerCase();
        if (present.has(name) && !recompute.has(name)) {
          given.push(g.rule);
          continue;
        }
        children[g.bound.index] = vecToArrow(g.value.evaluate(out), arrowSchema.fields[g.bound.index]!.type);
        computed = true;
      }
      if (computed) out = new RecordBatch(arrowSchema, new Data(new Struct(arrowSchema.fields), 0, out.numRows, 0, undefined, children) as Data<Struct>);
      for (const rule of [...rules, ...given]) {
        const row = firstViolation(rule.condition, out);
        if (row >= 0) throw violationError(rule.bound, out, row, timeZone);
      }
      return out;
    },
  };
}

/** The first row where the condition is not true (false or null), or -1. */
function firstViolation(condition: CompiledExpr, batch: RecordBatch): number {
  const v = condition.evaluate(batch);
  if (v.isConstant) return v.constantValue === true ? -1 : 0;
  const codes = v.codes();
  for (let i = 0; i < codes.length; i++) if (codes[i] !== TRUE) return i;
  return -1;
}

/** Lower-case names of the generated columns to recompute; unknown or non-generated names throw. */
function recomputedColumns(names: readonly string[] | undefined, generated: readonly Generated[]): Set<string> {
  const out = new Set<string>();
  for (const n of names ?? []) {
    const lower = n.toLowerCase();
    if (!generated.some((g) => g.bound.field.name.toLowerCase() === lower)) {
      const list = generated.map((g) => g.bound.field.name).join(', ') || '(none)';
      throw new DeltaError('INVALID_ARGUMENT', `recomputeGenerated names "${n}", which is not a generated column of the table (generated columns: ${list}). Name only generated columns.`, {
        details: { column: n },
      });
    }
    out.add(lower);
  }
  return out;
}
