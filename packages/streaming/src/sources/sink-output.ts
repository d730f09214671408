/**
 * Reading a folder written by a file sink (one with `_spark_metadata`), as Spark's
 * `MetadataLogFileIndex`: only the files the sink log lists are read, so files of a batch that
 * failed or crashed before its log record are invisible. Hive-style `col=value` folders between
 * the output path and a file become partition columns after the file's columns, their types
 * inferred as Spark's partition inference does (int, long, double, date, timestamp, else string;
 * `__HIVE_DEFAULT_PARTITION__` is null) unless the given schema names them.
 */
import type { ObjectStore, StructField, StructType } from '@deltakit/core';
import { HIVE_DEFAULT_PARTITION, deltaToArrowSchema, mergeIntoTable, openInput, rowsToBatch, type InputFormat } from '@deltakit/core/internal';
import { RecordBatch, Struct, makeData } from 'apache-arrow';
import { FileStreamSinkLog, logPathToStorePath } from '../sinks/file-sink-log.js';

export interface CommittedFile {
  readonly path: string;
  /** Partition column → raw folder value (null for `__HIVE_DEFAULT_PARTITION__`), in folder order. */
  readonly partitionValues: ReadonlyMap<string, string | null>;
}

/** The committed files of a file sink's output folder, in path order. */
export async function committedFiles(store: ObjectStore, outputPath: string): Promise<CommittedFile[]> {
  const root = outputPath.replace(/\/+$/, '');
  const files = (await new FileStreamSinkLog(store, root).allFiles()).filter((f) => !f.isDir).map((f) => logPathToStorePath(f.path, root));
  files.sort();
  return files.map((path) => {
    const rel = path.startsWith(root + '/') ? path.slice(root.length + 1) : path.slice(path.lastIndexOf('/') + 1);
    const values = new Map<string, string | null>();
    for (const seg of rel.split('/').slice(0, -1)) {
      const eq = seg.indexOf('=');
      if (eq <= 0) continue;
      const raw = unescapeHive(seg.slice(eq + 1));
      values.set(unescapeHive(seg.slice(0, eq)), raw === HIVE_DEFAULT_PARTITION ? null : raw);
    }
    return { path, partitionValues: values };
  });
}

function unescapeHive(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The partition columns of `files`, typed by `given` when it names them, else inferred. */
export function partitionSchema(files: readonly CommittedFile[], given: StructType | undefined): StructField[] {
  const names: string[] = [];
  for (const f of files) for (const k of f.partitionValues.keys()) if (!names.includes(k)) names.push(k);
  return names.map((name) => {
    const declared = given?.fields.find((g) => g.name.toLowerCase() === name.toLowerCase());
    if (declared) return declared;
    const values = files.map((f) => f.partitionValues.get(name)).filter((v): v is string => typeof v === 'string');
    return { name, type: { kind: 'primitive', name: inferPartitionType(values) }, nullable: true, metadata: {} } as StructField;
  });
}

type PartitionType = 'integer' | 'long' | 'double' | 'date' | 'timestamp' | 'string';

function inferPartitionType(values: readonly string[]): PartitionType {
  if (values.length === 0) return 'string';
  const all = (re: RegExp) => values.every((v) => re.test(v));
  if (all(/^-?\d+$/)) {
    if (values.every((v) => Math.abs(Number(v)) <= 2147483647)) return 'integer';
    if (values.every((v) => BigInt(v) <= 9223372036854775807n && BigInt(v) >= -9223372036854775808n)) return 'long';
  }
  if (all(/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/)) return 'double';
  if (all(/^\d{4}-\d{2}-\d{2}$/)) return 'date';
  if (all(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/)) return 'timestamp';
  return 'string';
}

function partitionValue(raw: string | null, field: StructField): unknown {
  if (raw === null) return null;
  if (field.type.kind === 'primitive') {
    switch (field.type.name) {
      case 'integer':
      case 'short':
      case 'byte':
      case 'double':
      case 'float':
        return Number(raw);
      case 'long':
        return BigInt(raw);
      case 'boolean':
        return raw === 'true';
      case 'timestamp':
        return raw.replace(' ', 'T') + (raw.endsWith('Z') ? '' : 'Z');
      case 'timestamp_ntz':
        return raw.replace(' ', 'T');
    }
  }
  return raw;
}

/**
 * The schema of a sink's output (data columns from `given` or inferred over the files, then
 * partition columns) and a reader of its rows.
 */
export async function committedInput(store: ObjectStore, outputPath: string, format: InputFormat, given: StructType | undefined, signal?: AbortSignal) {
  const files = await committedFiles(store, outputPath);
  const parts = partitionSchema(files, given);
  const isPart = (name: string) => parts.some((p) => p.name.toLowerCase() === name.toLowerCase());
  let data: StructType | undefined = given === undefined ? undefined : { kind: 'struct', fields: given.fields.filter((f) => !isPart(f.name)) };
  if (data === undefined) {
    for (const f of files) {
      const input = openInput(store, f.path, format);
      try {
        const s = await input.schema(signal);
        data = data === undefined ? s : mergeIntoTable(data, s);
      } finally {
        await input.close();
      }
    }
  }
  const dataSchema: StructType = data ?? { kind: 'struct', fields: [] };
  const schema: StructType = { kind: 'struct', fields: [...dataSchema.fields, ...parts] };
  const partSchema: StructType = { kind: 'struct', fields: parts };
  const arrow = deltaToArrowSchema(schema);
  async function* read(readSignal?: AbortSignal): AsyncIterable<RecordBatch> {
    for (const f of files) {
      const input = openInput(store, f.path, format);
      try {
        const row: Record<string, unknown> = {};
        for (const p of parts) row[p.name] = partitionValue([...f.partitionValues].find(([k]) => k.toLowerCase() === p.name.toLowerCase())?.[1] ?? null, p);
        for await (const b of input.batches(dataSchema, readSignal)) {
          if (parts.length === 0) {
            yield b;
            continue;
          }
          const consts = rowsToBatch(new Array<object>(b.numRows).fill(row), partSchema);
          const children = [...b.data.children, ...consts.data.children];
          yield new RecordBatch(arrow, makeData({ type: new Struct(arrow.fields), length: b.numRows, nullCount: 0, children }));
        }
      } finally {
        await input.close();
      }
    }
  }
  return { schema, read };
}
