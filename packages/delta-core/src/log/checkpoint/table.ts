/**
 * Checkpoint parquet files as Arrow tables, in Spark's column layout (protocol-notes §3.2): a
 * classic (V1) checkpoint or part, a V2 top-level checkpoint (adds `checkpointMetadata` and
 * `sidecar` columns), or a sidecar file (only `add` and `remove`). One row per action; exactly
 * one top-level column is non-null on each row.
 */
import { Field, RecordBatch, Schema, Struct, Table, makeData } from 'apache-arrow';
import { rowsToBatch } from '../../write/rows-to-arrow.js';
import { field, struct as deltaStruct } from '../../schema/types.js';
import type { AddFile, DeletionVectorDescriptor, DomainMetadata, Metadata, Protocol, RemoveFile, SetTransaction, Sidecar } from '../actions.js';
import { B, I, L, S, STRING_LIST, STRING_MAP, arrowTypeOf, buildColumn, struct } from '../checkpoint-arrow.js';
import type { ColumnSpec } from '../checkpoint-arrow.js';
import { partitionValuesParsed, statsParsedValue, type ParsedStatsLayout } from './parsed-stats.js';

/** The rows of one checkpoint file, by action kind (any may be empty). */
export interface CheckpointRows {
  readonly protocol?: Protocol;
  readonly metadata?: Metadata;
  readonly txns?: readonly SetTransaction[];
  readonly domains?: readonly DomainMetadata[];
  /** Present for V2-spec checkpoints: the `checkpointMetadata.version`. */
  readonly checkpointVersion?: number;
  readonly sidecars?: readonly Sidecar[];
  readonly adds?: readonly AddFile[];
  readonly removes?: readonly RemoveFile[];
}

/** Which columns a file gets and how file statistics are written. */
export interface CheckpointTableOptions {
  /** `classic`: V1 columns; `v2`: plus checkpointMetadata and sidecar; `sidecar`: add and remove only. */
  readonly kind: 'classic' | 'v2' | 'sidecar';
  /** Write `add.stats` (JSON text). */
  readonly statsAsJson: boolean;
  /** Write `add.stats_parsed` and `add.partitionValues_parsed` with this layout. */
  readonly parsed?: ParsedStatsLayout;
}

const DV: ColumnSpec = struct([
  ['storageType', S],
  ['pathOrInlineDv', S],
  ['offset', I],
  ['sizeInBytes', I],
  ['cardinality', L],
]);

const ADD_FIELDS: readonly (readonly [string, ColumnSpec])[] = [
  ['path', S],
  ['partitionValues', STRING_MAP],
  ['size', L],
  ['modificationTime', L],
  ['dataChange', B],
  ['tags', STRING_MAP],
  ['deletionVector', DV],
  ['baseRowId', L],
  ['defaultRowCommitVersion', L],
  ['clusteringProvider', S],
];

const REMOVE: ColumnSpec = struct([
  ['path', S],
  ['deletionTimestamp', L],
  ['dataChange', B],
  ['extendedFileMetadata', B],
  ['partitionValues', STRING_MAP],
  ['size', L],
  ['deletionVector', DV],
  ['baseRowId', L],
  ['defaultRowCommitVersion', L],
]);

const TXN: ColumnSpec = struct([['appId', S], ['version', L], ['lastUpdated', L]]);
const METADATA: ColumnSpec = struct([
  ['id', S],
  ['name', S],
  ['description', S],
  ['format', struct([['provider', S], ['options', STRING_MAP]])],
  ['schemaString', S],
  ['partitionColumns', STRING_LIST],
  ['configuration', STRING_MAP],
  ['createdTime', L],
]);
const PROTOCOL: ColumnSpec = struct([['minReaderVersion', I], ['minWriterVersion', I], ['readerFeatures', STRING_LIST], ['writerFeatures', STRING_LIST]]);
const DOMAIN: ColumnSpec = struct([['domain', S], ['configuration', S], ['removed', B]]);
const CHECKPOINT_METADATA: ColumnSpec = struct([['version', L], ['tags', STRING_MAP]]);
const SIDECAR: ColumnSpec = struct([['path', S], ['sizeInBytes', L], ['modificationTime', L], ['tags', STRING_MAP]]);

/** Row order inside a file: non-file actions first, then adds, then removes. */
const ROW_ORDER = ['protocol', 'metaData', 'txn', 'domainMetadata', 'checkpointMetadata', 'sidecar', 'add', 'remove'] as const;

/**
 * The file as an Arrow table. File actions are written with `dataChange: false`, as Spark does;
 * removes without `stats` and `tags`.
 */
export function buildCheckpointTable(rows: CheckpointRows, options: CheckpointTableOptions): Table {
  const adds = rows.adds ?? [];
  const groups: Record<(typeof ROW_ORDER)[number], readonly unknown[]> = {
    protocol: rows.protocol ? [rows.protocol] : [],
    metaData: rows.metadata ? [rows.metadata] : [],
    txn: rows.txns ?? [],
    domainMetadata: rows.domains ?? [],
    checkpointMetadata: rows.checkpointVersion === undefined ? [] : [{ version: rows.checkpointVersion }],
    sidecar: rows.sidecars ?? [],
    add: adds.map(addRow),
    remove: (rows.removes ?? []).map(removeRow),
  };
  const start: Record<string, number> = {};
  let length = 0;
  for (const kind of ROW_ORDER) {
    start[kind] = length;
    length += groups[kind].length;
  }
  const columns = columnSpecs(options, adds, start['add']!, length);
  const children = columns.map(([name, spec]) => {
    const values = groups[name as (typeof ROW_ORDER)[number]];
    const index = new Int32Array(values.length);
    for (let k = 0; k < index.length; k++) index[k] = start[name]! + k;
    return buildColumn(spec, length, index, values);
  });
  const fields = columns.map(([name, spec]) => new Field(name, arrowTypeOf(spec), true));
  const data = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  return new Table(new Schema(fields), [new RecordBatch(new Schema(fields), data)]);
}

/** Top-level columns in Spark's order; the add column's typed stats are built for these rows. */
function columnSpecs(options: CheckpointTableOptions, adds: readonly AddFile[], addStart: number, length: number): (readonly [string, ColumnSpec])[] {
  const addFields: (readonly [string, ColumnSpec])[] = [...ADD_FIELDS];
  if (options.statsAsJson) addFields.push(['stats', S]);
  if (options.parsed !== undefined) addFields.push(...parsedColumns(options.parsed, adds, addStart, length));
  const add: readonly [string, ColumnSpec] = ['add', struct(addFields)];
  if (options.kind === 'sidecar') return [add, ['remove', REMOVE]];
  const out: (readonly [string, ColumnSpec])[] = [['txn', TXN], add, ['remove', REMOVE], ['metaData', METADATA], ['protocol', PROTOCOL], ['domainMetadata', DOMAIN]];
  if (options.kind === 'v2') out.push(['checkpointMetadata', CHECKPOINT_METADATA], ['sidecar', SIDECAR]);
  return out;
}

/**
 * `partitionValues_parsed` (partitioned tables only) and `stats_parsed` as prebuilt columns of
 * `length` rows, non-null on the add rows `addStart .. addStart + adds.length - 1` that have them.
 */
function parsedColumns(layout: ParsedStatsLayout, adds: readonly AddFile[], addStart: number, length: number): (readonly [string, ColumnSpec])[] {
  const fields = [
    ...(layout.partitionType ? [field('partitionValues_parsed', layout.partitionType)] : []),
    ...(layout.statsType ? [field('stats_parsed', layout.statsType)] : []),
  ];
  if (fields.length === 0) return [];
  const values: Record<string, unknown>[] = new Array(length);
  for (let i = 0; i < length; i++) values[i] = {};
  adds.forEach((a, k) => {
    values[addStart + k] = {
      partitionValues_parsed: layout.partitionType ? partitionValuesParsed(a, layout) : undefined,
      stats_parsed: layout.statsType ? statsParsedValue(a, layout) : undefined,
    };
  });
  const batch = rowsToBatch(values, deltaStruct(fields));
  return fields.map((f, i) => [f.name, { t: 'prebuilt', data: batch.data.children[i]! }] as const);
}

function addRow(a: AddFile): Record<string, unknown> {
  return { ...a, dataChange: false, deletionVector: dvRow(a.deletionVector) };
}

function removeRow(r: RemoveFile): Record<string, unknown> {
  return { ...r, dataChange: false, deletionVector: dvRow(r.deletionVector) };
}

function dvRow(dv: DeletionVectorDescriptor | undefined): Record<string, unknown> | undefined {
  return dv === undefined ? undefined : { ...dv };
}
