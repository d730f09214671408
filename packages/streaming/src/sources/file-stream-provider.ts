/**
 * `readStream.format('json'|'csv'|'text'|'parquet').load(path)`: Spark's streaming file source.
 * A schema is required (`.schema(...)`), as Spark's `spark.sql.streaming.schemaInference`
 * default says, unless inference is asked for with option('inferSchema', 'true'); text has the
 * fixed schema `value STRING`. Partition columns come from `k=v` folders found at start
 * (typed by the schema when it names them, inferred otherwise). Batch reads of the same formats
 * go to `file-batch.ts` (text here).
 */
import { DeltaError, struct, type StructField, type StructType } from '@deltakit/core';
import { inferCell, mergeInferred, NULL_TYPE, tableRootFromUri, toDeltaType, type Inferred } from '@deltakit/core/internal';
import { fileBatchProvider } from './file-batch.js';
import { listDataFiles, partitionValues, type ListedFile } from './file-listing.js';
import { fileFormat, parseFileOptions } from './file-options.js';
import { METADATA_FIELD, readFile, type ReaderSpec } from './file-reader.js';
import { FileStreamSource } from './file-source.js';
import { inferFileSchema } from './cloud-files/schema-inference.js';
import { bool } from './file-options.js';
import { option, requirePath, type ResolveContext, type ResolvedRelation, type SourceProvider } from './source.js';

const STRING_FIELD = (name: string): StructField => ({ name, type: { kind: 'primitive', name: 'string' }, nullable: true, metadata: {} });

export const fileStreamProvider: SourceProvider = {
  formats: ['json', 'jsonl', 'csv', 'text', 'parquet'],
  async resolve(spec, streaming, ctx): Promise<ResolvedRelation> {
    const format = fileFormat(spec.format, 'format');
    if (!streaming && format !== 'text') return fileBatchProvider.resolve(spec, false, ctx);
    const root = tableRootFromUri(requirePath(spec, streaming));
    const options = parseFileOptions(spec, format, false);
    if (options.sourceArchiveDir !== undefined && (options.sourceArchiveDir + '/').startsWith(root.replace(/\/+$/, '') + '/')) {
      throw new DeltaError('INVALID_ARGUMENT', `sourceArchiveDir ${options.sourceArchiveDir} is inside the source path ${root}: archived files would be read again. Choose a folder outside it.`, { details: { option: 'sourceArchiveDir' } });
    }
    const listing = await listDataFiles(ctx.engine.store, root, { ...(options.glob ? { glob: options.glob } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const prefix = root.endsWith('/') ? root : `${root}/`;
    const partitions = options.recursiveFileLookup ? [] : discoverPartitions(listing, prefix);
    const user = spec.schema;
    let visible: StructType;
    if (user !== undefined) {
      visible = user;
    } else if (format === 'text') {
      visible = struct([STRING_FIELD('value')]);
    } else if (bool(option(spec, 'inferSchema'), false, 'inferSchema')) {
      const inferred = await inferFileSchema(ctx.engine, listing, format, { inferTypes: true, csvHeader: options.csvHeader, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      if (inferred === undefined) {
        throw new DeltaError('INVALID_ARGUMENT', `Unable to infer a schema for ${format.toUpperCase()} at ${root}: it has no data files yet. Specify the schema with readStream.schema('<col> <type>, ...'), or add files first.`, { details: { path: root } });
      }
      visible = inferred;
    } else {
      throw new DeltaError(
        'INVALID_ARGUMENT',
        `Schema must be specified when creating a streaming source DataFrame. A streaming ${format} source at ${root} does not infer its schema by default (files arriving later could change it). Give it with readStream.schema('id BIGINT, name STRING'), set option('inferSchema', 'true') to infer it once from the files present, or use format('cloudFiles') for Auto Loader's schema inference and evolution.`,
        { details: { path: root, format } },
      );
    }
    // Partition columns the schema lacks are appended, typed by inference over the folder values.
    const partitionFields: StructField[] = [];
    for (const [name, type] of partitions) {
      const f = visible.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
      partitionFields.push(f ?? { name, type, nullable: true, metadata: {} });
      if (f === undefined) visible = struct([...visible.fields, { name, type, nullable: true, metadata: {} }]);
    }
    const partitionNames = new Set(partitionFields.map((f) => f.name));
    const corrupt = visible.fields.find((f) => f.name === options.corruptColumn);
    const dataSchema = struct(visible.fields.filter((f) => !partitionNames.has(f.name) && f !== corrupt));
    const reader: ReaderSpec = {
      format,
      dataSchema,
      partitionSchema: struct(partitionFields),
      rootPrefix: prefix,
      mode: options.mode,
      ...(corrupt === undefined || format === 'parquet' ? {} : { corruptColumn: corrupt.name }),
      rescueNewFields: false,
      csvHeader: options.csvHeader,
      visibleOrder: visible,
    };
    return {
      kind: format,
      schema: format === 'parquet' ? struct([...dataSchema.fields, ...partitionFields]) : visible,
      hidden: [METADATA_FIELD],
      ...(streaming ? {} : { read: (readCtx: ResolveContext) => readAll(readCtx, reader, listing) }),
      openStream: (streamCtx) => FileStreamSource.open(streamCtx, { name: 'FileStreamSource', root, options, reader }),
    };
  },
};

async function* readAll(ctx: ResolveContext, reader: ReaderSpec, files: readonly ListedFile[]) {
  for (const f of files) yield* readFile(ctx.engine, reader, f, ctx.signal);
}

/** Partition columns of the folders, in folder order, typed by inference over their values. */
export function discoverPartitions(files: readonly ListedFile[], prefix: string, inferTypes = true): [string, StructField['type']][] {
  const types = new Map<string, Inferred>();
  const wide = new Set<string>();
  for (const f of files) {
    for (const [k, v] of partitionValues(f.path, prefix)) {
      types.set(k, mergeInferred(types.get(k) ?? NULL_TYPE, inferTypes ? inferCell(v) : v === null ? NULL_TYPE : { kind: 'string' }));
      if (v !== null && /^[+-]?\d+$/.test(v.trim()) && Math.abs(Number(v)) > 2 ** 31 - 1) wide.add(k);
    }
  }
  // Spark types integral partition values as int when every value fits, else long.
  return [...types].map(([k, t]) => [k, t.kind === 'long' && !wide.has(k) ? { kind: 'primitive', name: 'integer' } : toDeltaType(t)]);
}

