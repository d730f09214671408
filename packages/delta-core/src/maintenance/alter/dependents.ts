/**
 * What depends on a column, so a schema change that would break it is refused first (Delta
 * Spark's `checkDependentExpressions`): CHECK constraints and generation expressions that
 * reference the column, one of its nested fields, or a struct containing it; and the table's
 * clustering columns (the `delta.clustering` domain, which stores physical column paths).
 */
import { checkConstraintsOf, enforcesGeneratedColumns, generationExpressionsOf, invariantsOf } from '../../constraints/definitions.js';
import { DeltaError } from '../../errors.js';
import { referencedColumns } from '../../expr/ast.js';
import { parseExpression } from '../../expr/parse.js';
import type { Metadata, Protocol } from '../../log/actions.js';
import { supportedWriterFeatures } from '../../log/protocol-check.js';
import { PHYSICAL_NAME_KEY } from '../../schema/column-mapping.js';
import type { DataType, StructField, StructType } from '../../schema/types.js';
import { parseJson } from '../../util/json.js';
import { formatColumnPath, isPrefixOf } from './paths.js';

export const CLUSTERING_DOMAIN = 'delta.clustering';

/** A rule (CHECK constraint, generated column, column invariant) that reads a column. */
export interface DependentRule {
  readonly kind: 'constraint' | 'generated column' | 'invariant of column';
  /** The constraint name, or the name of the generated column or of the column with the invariant. */
  readonly name: string;
  readonly expression: string;
}

/**
 * Whether an expression depends on the column at `path`: one of the columns it references is the
 * column, a field nested in it, or a struct containing it (names compared case-insensitively, as
 * Spark compares the overlapping part of the two paths). Text that does not parse is treated as
 * dependent when it mentions the column's top-level name, so nothing is broken silently.
 */
export function expressionDependsOn(text: string, path: readonly string[]): boolean {
  let columns: string[][];
  try {
    columns = referencedColumns(parseExpression(text));
  } catch {
    return text.toLowerCase().includes(path[0]!.toLowerCase());
  }
  return columns.some((c) => (c.length <= path.length ? isPrefixOf(c, path) : isPrefixOf(path, c)));
}

/** The CHECK constraints, column invariants and (enforced) generation expressions that depend on the column at `path`. */
export function dependentRules(path: readonly string[], metadata: Metadata, schema: StructType, protocol: Protocol, options: { dropping?: boolean } = {}): DependentRule[] {
  const out: DependentRule[] = [];
  for (const c of checkConstraintsOf(metadata.configuration)) {
    if (expressionDependsOn(c.text, path)) out.push({ kind: 'constraint', name: c.name, expression: c.text });
  }
  // Column invariants (legacy) name columns by their full path, so they break on a rename too.
  for (const inv of invariantsOf(schema)) {
    if (options.dropping && isPrefixOf(path, inv.path)) continue; // dropped together with its column
    if (expressionDependsOn(inv.text, path)) out.push({ kind: 'invariant of column', name: formatColumnPath(inv.path), expression: inv.text });
  }
  if (enforcesGeneratedColumns(protocol)) {
    for (const g of generationExpressionsOf(schema)) {
      if (expressionDependsOn(g.text, path)) out.push({ kind: 'generated column', name: g.field.name, expression: g.text });
    }
  }
  return out;
}

/**
 * Throws UNSUPPORTED_OPERATION when a rule depends on the column at `path`, naming every such rule
 * and how to proceed (`change` says what was attempted, e.g. "drop", "rename").
 */
export function refuseDependentRules(path: readonly string[], change: string, metadata: Metadata, schema: StructType, protocol: Protocol, tableRoot: string): void {
  const rules = dependentRules(path, metadata, schema, protocol, { dropping: change === 'drop' });
  if (rules.length === 0) return;
  const column = formatColumnPath(path);
  const list = rules.map((r) => `${r.kind} ${r.name} (${r.expression})`).join('; ');
  const fixes = [
    rules.some((r) => r.kind === 'constraint') ? 'drop the constraint first (dropConstraint)' : '',
    rules.some((r) => r.kind === 'generated column') ? 'drop the generated column first' : '',
    rules.some((r) => r.kind === 'invariant of column') ? 'rewrite the table without the column invariant' : '',
  ].filter((x) => x !== '');
  throw new DeltaError(
    'UNSUPPORTED_OPERATION',
    `Cannot ${change} column ${column} of the table at ${tableRoot}: ${list} depend${rules.length === 1 ? 's' : ''} on it. Nothing was changed. To proceed, ${fixes.join(' and ')}, then retry.`,
    { details: { column, dependents: rules.map((r) => ({ ...r })) } },
  );
}

/** The name of a field in data files and the clustering domain (its physical name when it has one, as Spark's `getPhysicalName`). */
function storedName(f: StructField): string {
  const p = f.metadata[PHYSICAL_NAME_KEY];
  return typeof p === 'string' && p !== '' ? p : f.name;
}

/**
 * The table's clustering columns as logical paths, from the `delta.clustering` domain metadata
 * (`{"clusteringColumns":[["<physical>", ...], ...]}`), when the protocol supports clustering.
 * Physical paths that no longer resolve are skipped. An unparseable domain throws CORRUPT_LOG.
 */
export function clusteringColumnPaths(protocol: Protocol, domains: ReadonlyMap<string, string>, schema: StructType): string[][] {
  if (!supportedWriterFeatures(protocol).has('clustering')) return [];
  const text = domains.get(CLUSTERING_DOMAIN);
  if (text === undefined) return [];
  let physical: unknown;
  try {
    physical = (parseJson(text) as { clusteringColumns?: unknown } | null)?.clusteringColumns;
  } catch (e) {
    throw corruptClustering(text, e);
  }
  if (!Array.isArray(physical) || !physical.every((c) => Array.isArray(c) && c.every((p) => typeof p === 'string'))) throw corruptClustering(text);
  const out: string[][] = [];
  for (const parts of physical as string[][]) {
    const logical = logicalPath(schema, parts);
    if (logical !== undefined) out.push(logical);
  }
  return out;
}

function logicalPath(schema: StructType, physical: readonly string[]): string[] | undefined {
  const out: string[] = [];
  let type: DataType = schema;
  for (const part of physical) {
    if (type.kind !== 'struct') return undefined;
    const lower = part.toLowerCase();
    const f: StructField | undefined = type.fields.find((x) => storedName(x) === part) ?? type.fields.find((x) => storedName(x).toLowerCase() === lower);
    if (f === undefined) return undefined;
    out.push(f.name);
    type = f.type;
  }
  return out;
}

function corruptClustering(text: string, cause?: unknown): DeltaError {
  return new DeltaError('CORRUPT_LOG', `The table's ${CLUSTERING_DOMAIN} domain metadata is not valid (${text.slice(0, 200)}); expected {"clusteringColumns": [["column", ...], ...]}. The log was written by a non-conforming writer.`, {
    ...(cause === undefined ? {} : { cause }),
    details: { domain: CLUSTERING_DOMAIN },
  });
}
