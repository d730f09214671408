/**
 * ALTER TABLE RENAME COLUMN and DROP COLUMNS, as Delta Spark runs them. Both need column mapping
 * (mode `name` or `id`): data files name columns physically, so a rename only changes the logical
 * name (files keep resolving by physical name or field id) and a drop only removes the field from
 * the schema (its data stays in the files, unread; a column added later under the same name gets
 * a new physical name and id, so old values never reappear).
 *
 * Refused as Spark refuses them: renaming or dropping a column a CHECK constraint or generated
 * column reads; dropping a partition column or a clustering column; dropping the only field of a
 * struct; renaming or dropping array elements and map keys / values. Renaming a partition column
 * renames it in `partitionColumns`; renaming a clustering column needs nothing else, because the
 * `delta.clustering` domain names columns physically. `delta.dataSkippingStatsColumns` follows
 * renames and loses dropped columns.
 */
import type { Engine } from '../../engine.js';
import { DeltaError } from '../../errors.js';
import { columnMappingMode } from '../../schema/column-mapping.js';
import type { StructType } from '../../schema/types.js';
import type { Snapshot } from '../../table/snapshot.js';
import { parseStatsColumns } from '../../write/stats-collector.js';
import { commitMetadataChange, type AlterOptions } from './commit.js';
import { clusteringColumnPaths, refuseDependentRules } from './dependents.js';
import { editStruct, formatColumnPath, isPrefixOf, parseColumnPath, quotedColumnPath, resolvePath, toPath, type ColumnRef, type ResolvedPath } from './paths.js';

const STATS_COLUMNS_KEY = 'delta.dataSkippingStatsColumns';

export interface DropColumnsOptions extends AlterOptions {
  /** Skip columns that do not exist instead of failing (Spark's `DROP COLUMNS IF EXISTS`). */
  readonly ifExists?: boolean;
}

/**
 * Renames column `from` (a path; nested fields too) to `to`: the new name, or a path naming the
 * same parent struct (`s.a` → `s.b`). Returns the new version.
 */
export async function renameColumn(engine: Engine, snapshot: Snapshot, from: ColumnRef, to: string, options: AlterOptions = {}): Promise<{ version: number }> {
  requireColumnMapping(snapshot, 'rename');
  const resolved = resolvePath(snapshot.schema, toPath(from));
  const index = fieldIndexAt(resolved, 'rename');
  const parent = resolved.names.slice(0, -1);
  const newName = targetName(parent, to, resolved);
  const oldPath = resolved.names;
  const newPath = [...parent, newName];
  refuseDependentRules(oldPath, 'rename', snapshot.metadata, snapshot.schema, snapshot.protocol, snapshot.tableRoot);
  const schema = editStruct(snapshot.schema, parent, 'rename a column', (s, names) => {
    const clash = s.fields.find((f, i) => i !== index && f.name.toLowerCase() === newName.toLowerCase());
    if (clash !== undefined) {
      throw new DeltaError(
        'INVALID_ARGUMENT',
        `Cannot rename column ${formatColumnPath(oldPath)} to "${newName}": ${names.length === 0 ? 'the table' : formatColumnPath(names)} already has a column "${clash.name}" (names are case-insensitive). Nothing was changed. Choose another name.`,
        { details: { column: formatColumnPath(oldPath), to: newName } },
      );
    }
    return { kind: 'struct', fields: s.fields.map((f, i) => (i === index ? { ...f, name: newName } : f)) };
  });
  const partitionColumns = parent.length === 0 ? snapshot.partitionColumns.map((c) => (c.toLowerCase() === oldPath[0]!.toLowerCase() ? newName : c)) : snapshot.partitionColumns;
  return commitMetadataChange(
    engine,
    snapshot,
    {
      schema,
      partitionColumns,
      configuration: withStatsColumns(snapshot.properties, (cols) => cols.map((c) => (isPrefixOf(oldPath, c) ? [...newPath, ...c.slice(oldPath.length)] : c))),
      operation: 'RENAME COLUMN',
      operationParameters: { oldColumnPath: formatColumnPath(oldPath), newColumnPath: formatColumnPath(newPath) },
    },
    options,
  );
}

/** Drops columns (paths; nested fields too). Returns the new version (the current one when `ifExists` found none). */
export async function dropColumns(engine: Engine, snapshot: Snapshot, names: readonly ColumnRef[], options: DropColumnsOptions = {}): Promise<{ version: number }> {
  if (!Array.isArray(names) || names.length === 0) throw new DeltaError('INVALID_ARGUMENT', 'dropColumns needs at least one column name, e.g. dropColumns(["b", "s.c"]).');
  requireColumnMapping(snapshot, 'drop');
  const clustering = clusteringColumnPaths(snapshot.protocol, snapshot.domainMetadata, snapshot.schema);
  let schema: StructType = snapshot.schema;
  const dropped: string[][] = [];
  for (const name of names) {
    const path = toPath(name);
    let resolved: ResolvedPath;
    try {
      resolved = resolvePath(schema, path);
    } catch (e) {
      if (options.ifExists) continue;
      throw e;
    }
    const index = fieldIndexAt(resolved, 'drop');
    const column = formatColumnPath(resolved.names);
    if (resolved.names.length === 1 && snapshot.partitionColumns.some((c) => c.toLowerCase() === resolved.names[0]!.toLowerCase())) {
      throw new DeltaError('UNSUPPORTED_OPERATION', `Cannot drop column ${column} of the table at ${snapshot.tableRoot}: it is a partition column, and Delta cannot drop partition columns. Nothing was changed. To remove it, rewrite the table without it (overwrite with overwriteSchema).`, {
        details: { column },
      });
    }
    const clusteredBy = clustering.find((c) => isPrefixOf(resolved.names, c));
    if (clusteredBy !== undefined) {
      throw new DeltaError(
        'UNSUPPORTED_OPERATION',
        `Cannot drop column ${column} of the table at ${snapshot.tableRoot}: the table is clustered by ${formatColumnPath(clusteredBy)}, and clustering columns cannot be dropped. Nothing was changed. Change the clustering columns first (ALTER TABLE ... CLUSTER BY), then drop the column.`,
        { details: { column, clusteringColumn: formatColumnPath(clusteredBy) } },
      );
    }
    refuseDependentRules(resolved.names, 'drop', snapshot.metadata, schema, snapshot.protocol, snapshot.tableRoot);
    const parent = resolved.names.slice(0, -1);
    schema = editStruct(schema, parent, 'drop a column', (s, at) => {
      if (s.fields.length === 1) {
        throw new DeltaError(
          'UNSUPPORTED_OPERATION',
          `Cannot drop column ${column}: it is the only column of ${at.length === 0 ? 'the table' : formatColumnPath(at)}, and a struct needs at least one field. Nothing was changed. Drop ${at.length === 0 ? 'the table' : `the struct ${formatColumnPath(at)}`} instead.`,
          { details: { column } },
        );
      }
      return { kind: 'struct', fields: s.fields.filter((_, i) => i !== index) };
    });
    dropped.push([...resolved.names]);
  }
  if (dropped.length === 0) return { version: snapshot.version };
  return commitMetadataChange(
    engine,
    snapshot,
    {
      schema,
      configuration: withStatsColumns(snapshot.properties, (cols) => cols.filter((c) => !dropped.some((d) => isPrefixOf(d, c)))),
      operation: 'DROP COLUMNS',
      operationParameters: { columns: JSON.stringify(dropped.map(formatColumnPath)) },
    },
    options,
  );
}

function requireColumnMapping(snapshot: Snapshot, action: 'rename' | 'drop'): void {
  if (columnMappingMode(snapshot.properties) !== 'none') return;
  throw new DeltaError(
    'UNSUPPORTED_OPERATION',
    `Cannot ${action} columns of the table at ${snapshot.tableRoot}: it does not use column mapping, so its data files name columns by their logical names and ${action === 'rename' ? 'a renamed column would no longer find its data' : 'a dropped column could not be told apart from its data'}. Nothing was changed. Enable column mapping first with enableColumnMapping('name') (reader version 2, writer version 5; existing files keep working), then retry.`,
    { details: { columnMappingMode: 'none' } },
  );
}

/** The index of the struct field a path ends at; element / key / value throw UNSUPPORTED_OPERATION. */
function fieldIndexAt(resolved: ResolvedPath, action: string): number {
  const last = resolved.steps[resolved.steps.length - 1]!;
  if (last.kind === 'field') return last.index;
  const column = formatColumnPath(resolved.names);
  throw new DeltaError('UNSUPPORTED_OPERATION', `Cannot ${action} ${column}: array elements and map keys and values are not columns of their own. Nothing was changed. ${action === 'drop' ? 'Drop' : 'Rename'} the array or map column, or a field of the struct inside it.`, {
    details: { column },
  });
}

/** The new name from `to`: a single name, or a path whose parent is the renamed column's parent. */
function targetName(parent: readonly string[], to: string, resolved: ResolvedPath): string {
  if (typeof to !== 'string' || to.trim() === '') throw new DeltaError('INVALID_ARGUMENT', `The new column name must be non-empty text, got ${JSON.stringify(to)}.`);
  const parts = parseColumnPath(to);
  if (parts.length === 1) return parts[0]!;
  if (parts.length === parent.length + 1 && isPrefixOf(parts.slice(0, -1), parent)) return parts[parts.length - 1]!;
  throw new DeltaError(
    'INVALID_ARGUMENT',
    `Cannot rename column ${formatColumnPath(resolved.names)} to ${to}: a rename keeps a column in its struct (${parent.length === 0 ? 'the top level' : formatColumnPath(parent)}). Nothing was changed. Give the new name alone (back-quote a name containing dots, e.g. \`a.b\`).`,
    { details: { column: formatColumnPath(resolved.names), to } },
  );
}

/** The configuration with `delta.dataSkippingStatsColumns` rewritten by `edit` (unchanged when absent). */
function withStatsColumns(configuration: Readonly<Record<string, string>>, edit: (columns: string[][]) => string[][]): Readonly<Record<string, string>> {
  const text = configuration[STATS_COLUMNS_KEY];
  if (text === undefined) return configuration;
  const columns = edit(parseStatsColumns(text));
  return { ...configuration, [STATS_COLUMNS_KEY]: columns.map(quotedColumnPath).join(',') };
}
