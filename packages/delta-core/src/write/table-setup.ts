/**
 * Shared steps of table-level writes: opening the current snapshot (or learning that there is no
 * table yet), turning a schema + partitioning + properties into the `metaData` and `protocol`
 * actions to commit, and `remove` actions for live files.
 */
import { randomUUID } from 'node:crypto';
import type { Schema } from 'apache-arrow';
import type { Engine } from '../engine.js';
import { DeltaError, isDeltaError } from '../errors.js';
import type { AddFile, Metadata, Protocol, RemoveFile } from '../log/actions.js';
import { loadTableState } from '../log/load-table-state.js';
import { arrowToDeltaSchema } from '../schema/arrow.js';
import { columnMappingMode, COLUMN_MAPPING_MODE_KEY } from '../schema/column-mapping.js';
import { formatDataType, schemaToString } from '../schema/json.js';
import type { DataType, StructType } from '../schema/types.js';
import { Snapshot } from '../table/snapshot.js';
import { schemaForCommit, validateTableRules } from '../constraints/metadata-rules.js';
import { applyColumnMapping } from './column-mapping-assign.js';
import { protocolFor } from './protocol-for.js';

/**
 * The latest snapshot of the table at `tableRoot`, or null when there is no table there yet.
 * A table root that is a file throws NOT_A_DIRECTORY.
 */
export async function loadSnapshotOrNull(engine: Engine, tableRoot: string, signal?: AbortSignal): Promise<Snapshot | null> {
  let isFile = false;
  try {
    await engine.store.head(tableRoot);
    isFile = true;
  } catch (e) {
    if (!isDeltaError(e, 'FILE_NOT_FOUND')) throw e;
  }
  if (isFile) {
    throw new DeltaError('NOT_A_DIRECTORY', `${tableRoot} is a file, not a table directory; nothing was written. Point the write at a directory (an existing Delta table or a new location).`, {
      details: { tableRoot },
    });
  }
  try {
    const state = await loadTableState(engine, tableRoot, signal ? { signal } : {});
    return new Snapshot(engine, state, { sessionTimeZone: 'UTC' });
  } catch (e) {
    if (isDeltaError(e, 'TABLE_NOT_FOUND')) return null;
    throw e;
  }
}

/**
 * The schema with every field (at every level), array element and map value nullable: what a
 * table created implicitly by a write gets, as Spark's DataFrame save does (`asNullable`), so
 * later writes with nulls are not refused because the first batch happened to have none.
 */
export function asNullable(schema: StructType): StructType {
  const t = (d: DataType): DataType => {
    switch (d.kind) {
      case 'struct':
        return { kind: 'struct', fields: d.fields.map((f) => ({ ...f, nullable: true, type: t(f.type) })) };
      case 'array':
        return { ...d, elementType: t(d.elementType), containsNull: true };
      case 'map':
        return { ...d, keyType: t(d.keyType), valueType: t(d.valueType), valueContainsNull: true };
      default:
        return d;
    }
  };
  return t(schema) as StructType;
}

/** A Delta schema from a Delta StructType or an Arrow schema. */
export function toDeltaSchema(schema: StructType | Schema): StructType {
  if ((schema as StructType).kind === 'struct') return schema as StructType;
  return arrowToDeltaSchema(schema as Schema);
}

export interface MetadataRequest {
  /** The table's current protocol and metadata; absent when creating the table. */
  readonly current?: { readonly protocol: Protocol; readonly metadata: Metadata };
  /** Logical schema; column mapping annotations are added where the mode requires them. */
  readonly schema: StructType;
  readonly partitionColumns: readonly string[];
  /** The complete configuration to store (protocol-request properties are stripped). */
  readonly configuration: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly description?: string;
  /** Keep this table id (REPLACE keeps it); a new UUID otherwise. */
  readonly id?: string;
  readonly createdTime: number;
  /**
   * The table's existing files stay (append, property change): enabling column mapping then names
   * existing columns physically by their current names. False when every file is replaced.
   */
  readonly keepsData: boolean;
}

export interface MetadataPlan {
  readonly metadata: Metadata;
  readonly protocol: Protocol;
  /** The protocol must be committed (new table or upgrade). */
  readonly protocolChanged: boolean;
  /** The logical schema as committed (with column mapping annotations). */
  readonly schema: StructType;
}

/**
 * The metadata and protocol for a schema, partitioning and configuration: validates partition
 * columns, applies column mapping, upgrades the protocol for the features in use, and checks the
 * table's constraints and generated columns (constraints/metadata-rules.ts).
 */
export function planMetadata(request: MetadataRequest): MetadataPlan {
  const req = { ...request, schema: schemaForCommit(request.schema, request.current, request.keepsData) };
  const { protocol, changed, configuration } = protocolFor(req.configuration, req.schema, req.current?.protocol);
  const mode = columnMappingMode(configuration);
  const oldMode = req.current ? columnMappingMode(req.current.metadata.configuration) : 'none';
  if (req.keepsData && oldMode !== 'none' && mode !== oldMode) {
    throw new DeltaError('UNSUPPORTED_OPERATION', `The table uses column mapping mode "${oldMode}"; changing ${COLUMN_MAPPING_MODE_KEY} to "${mode}" on a table with data is not supported. Keep the mode, or rewrite the table (mode 'overwrite' with overwriteSchema, or createTable with mode 'replace').`);
  }
  if (req.keepsData && oldMode === 'none' && mode === 'id') {
    throw new DeltaError('UNSUPPORTED_OPERATION', `Column mapping mode "id" can only be set when a table is created (as in Delta Spark). Use mode "name", or create the table with ${COLUMN_MAPPING_MODE_KEY}=id.`);
  }
  const config = { ...configuration };
  const physicalNames = req.keepsData && oldMode === 'none' ? 'logical' : 'uuid';
  const schema = applyColumnMapping(req.schema, config, mode, physicalNames);
  const partitionColumns = validatePartitionColumns(schema, req.partitionColumns);
  const metadata: Metadata = {
    id: req.id ?? randomUUID(),
    ...(req.name === undefined ? {} : { name: req.name }),
    ...(req.description === undefined ? {} : { description: req.description }),
    format: { provider: 'parquet', options: {} },
    schemaString: schemaToString(schema),
    partitionColumns,
    createdTime: req.createdTime,
    configuration: config,
  };
  validateTableRules({ schema, configuration: config, protocol }, req.current, req.keepsData);
  return { metadata, protocol, protocolChanged: changed, schema };
}

/**
 * Partition columns resolved to the schema's spelling: they must be distinct top-level columns
 * of atomic type, and at least one column must remain for the data files.
 */
export function validatePartitionColumns(schema: StructType, columns: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of columns) {
    const f = schema.fields.find((x) => x.name.toLowerCase() === c.toLowerCase());
    if (f === undefined) {
      throw new DeltaError('INVALID_ARGUMENT', `Partition column "${c}" is not a column of the schema (${schema.fields.map((x) => x.name).join(', ')}). Partition by top-level columns of the data.`, {
        details: { column: c },
      });
    }
    const t = f.type;
    if (t.kind === 'struct' || t.kind === 'array' || t.kind === 'map' || (t.kind === 'primitive' && (t.name === 'variant' || t.name === 'void'))) {
      throw new DeltaError('INVALID_ARGUMENT', `Column "${f.name}" has type ${formatDataType(t)}, which cannot be a partition column. Partition by columns of atomic types (string, numbers, dates, timestamps, boolean).`, {
        details: { column: f.name },
      });
    }
    if (out.includes(f.name)) throw new DeltaError('INVALID_ARGUMENT', `Partition column "${f.name}" is listed twice. List each partition column once.`);
    out.push(f.name);
  }
  if (out.length > 0 && out.length === schema.fields.length) {
    throw new DeltaError('INVALID_ARGUMENT', 'Every column of the schema is a partition column, which leaves the data files without columns. Keep at least one column out of partitionBy.');
  }
  return out;
}

/** The `remove` action of a live file (extended metadata, deletion vector and row ids kept). */
export function removeFor(add: AddFile, deletionTimestamp: number): RemoveFile {
  return {
    path: add.path,
    deletionTimestamp,
    dataChange: true,
    extendedFileMetadata: true,
    partitionValues: add.partitionValues,
    size: add.size,
    ...(add.stats === undefined ? {} : { stats: add.stats }),
    ...(add.tags === undefined ? {} : { tags: add.tags }),
    ...(add.deletionVector === undefined ? {} : { deletionVector: add.deletionVector }),
    ...(add.baseRowId === undefined ? {} : { baseRowId: add.baseRowId }),
    ...(add.defaultRowCommitVersion === undefined ? {} : { defaultRowCommitVersion: add.defaultRowCommitVersion }),
  };
}

/** Whether two partition column lists are the same (case-insensitive, in order). */
export function samePartitioning(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c.toLowerCase() === b[i]!.toLowerCase());
}
