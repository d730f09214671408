import { readFileSync, readdirSync } from 'node:fs';
import { RecordBatch, Schema, Field, Struct, makeData, type Data } from 'apache-arrow';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { parseSchemaString } from '../../src/schema/json.js';
import { buildPartitionColumn, parsePartitionValue, partitionArrowType } from '../../src/schema/partition-values.js';
import type { StructType } from '../../src/schema/types.js';
import { parseJson } from '../../src/util/json.js';

/** An add action as read from a fixture log (raw JSON fields). */
export interface RawAdd {
  readonly path: string;
  readonly partitionValues: Record<string, string | null>;
  readonly stats?: string;
}

export interface FixtureTable {
  readonly root: string;
  readonly schema: StructType;
  readonly partitionColumns: readonly string[];
  readonly configuration: Record<string, string>;
  readonly adds: readonly RawAdd[];
}

/** Replays the JSON commits of a fixture table (tables used here have no checkpoints that matter). */
export function loadTable(root: string): FixtureTable {
  const log = `${root}/_delta_log`;
  const files = readdirSync(log)
    .filter((f) => /^\d{20}\.json$/.test(f))
    .sort();
  let meta: { schemaString: string; partitionColumns: string[]; configuration?: Record<string, string> } | undefined;
  const adds = new Map<string, RawAdd>();
  for (const f of files) {
    for (const line of readFileSync(`${log}/${f}`, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const a = parseJson(line) as Record<string, Record<string, unknown>>;
      if (a['metaData']) meta = a['metaData'] as unknown as typeof meta;
      if (a['add']) adds.set(a['add']['path'] as string, a['add'] as unknown as RawAdd);
      if (a['remove']) adds.delete(a['remove']['path'] as string);
    }
  }
  if (!meta) throw new Error(`no metaData in ${root}`);
  return {
    root,
    schema: parseSchemaString(meta.schemaString),
    partitionColumns: meta.partitionColumns,
    configuration: meta.configuration ?? {},
    adds: [...adds.values()],
  };
}

const store = new LocalFileSystemStore();
const parquet = createParquetHandler(store, { workers: 0 });

/**
 * All rows of one data file as a single batch, with partition columns appended (parsed in
 * `timeZone`) under their physical names. Data columns keep the names stored in the file.
 */
export async function readFileWithPartitions(table: FixtureTable, add: RawAdd, timeZone = 'UTC'): Promise<RecordBatch> {
  const path = `${table.root}/${decodeURIComponent(add.path)}`;
  const batches: RecordBatch[] = [];
  for await (const b of parquet.readBatches({ path })) batches.push(b);
  const fields: Field[] = [];
  const children: Data[] = [];
  const numRows = batches.reduce((n, b) => n + b.numRows, 0);
  if (batches.length > 1) throw new Error('test helper expects one batch per small fixture file');
  const first = batches[0];
  if (first) {
    first.schema.fields.forEach((f, i) => {
      fields.push(f);
      children.push(first.data.children[i]!);
    });
  }
  for (const name of table.partitionColumns) {
    const f = table.schema.fields.find((x) => x.name === name)!;
    const mapped = f.metadata['delta.columnMapping.physicalName'];
    const key = typeof mapped === 'string' ? mapped : name;
    const value = parsePartitionValue(add.partitionValues[key], f.type, { timeZone, column: name });
    fields.push(new Field(key, partitionArrowType(f.type), true));
    children.push(buildPartitionColumn(value, f.type, numRows));
  }
  const schema = new Schema(fields);
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length: numRows, nullCount: 0, children }));
}

/** Column values of a batch as plain JS (via Vector.get; fine for tiny fixture files). */
export function columnValues(batch: RecordBatch, name: string): unknown[] {
  const v = batch.getChild(name);
  if (!v) throw new Error(`no column ${name}`);
  return Array.from({ length: batch.numRows }, (_, i) => v.get(i));
}
