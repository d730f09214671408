/**
 * `readStream.format('cloudFiles')`: Auto Loader. The schema is the latest version in
 * `<cloudFiles.schemaLocation>/_schemas/` or, on the first start, inferred from the files present
 * (see `schema-inference.ts`) with `cloudFiles.schemaHints` applied and recorded as version 0.
 * Unknown fields met by a batch are handled by `cloudFiles.schemaEvolutionMode`:
 * - `addNewColumns` (default without `.schema(...)`): the new columns (typed by inference over
 *   the batch's files, hints applied) are appended in a new schema version, then the query fails
 *   with SCHEMA_CHANGED naming them; the restart reads the new version and re-runs the batch;
 * - `rescue`: never evolves, new fields go to `_rescued_data`;
 * - `failOnNewColumns`: fails with SCHEMA_CHANGED and records nothing;
 * - `none` (default with `.schema(...)`): new fields are ignored.
 * `_rescued_data` (or `rescuedDataColumn`) is present when the schema is inferred and the mode
 * is not `none`; it holds type mismatches, case mismatches and (rescue) new fields.
 */
import { DeltaError, struct, type StructField, type StructType } from '@deltakit/core';
import { tableRootFromUri } from '@deltakit/core/internal';
import { listDataFiles, type ListedFile } from '../file-listing.js';
import { parseFileOptions } from '../file-options.js';
import { METADATA_FIELD, type ReaderSpec } from '../file-reader.js';
import { FileStreamSource, type NewColumnsHandler } from '../file-source.js';
import { discoverPartitions } from '../file-stream-provider.js';
import { requirePath, type ResolvedRelation, type SourceProvider } from '../source.js';
import { parseCloudFilesOptions, type CloudFilesOptions } from './options.js';
import { applyHints, inferFileSchema } from './schema-inference.js';
import { SchemaStore } from './schema-store.js';

const STRING = { kind: 'primitive', name: 'string' } as const;

export const cloudFilesProvider: SourceProvider = {
  formats: ['cloudFiles'],
  async resolve(spec, streaming, ctx): Promise<ResolvedRelation> {
    if (!streaming) throw new DeltaError('UNSUPPORTED_OPERATION', "Auto Loader (format('cloudFiles')) is a streaming source: use readStream.format('cloudFiles'), or read.format('json'|'csv'|'parquet') for a batch read.");
    const cloud = parseCloudFilesOptions(spec);
    const options = parseFileOptions(spec, cloud.format, true);
    const root = tableRootFromUri(requirePath(spec, true));
    const prefix = root.endsWith('/') ? root : `${root}/`;
    const listing = await listDataFiles(ctx.engine.store, root, { ...(options.glob ? { glob: options.glob } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const partitionsFound = (): StructField[] => {
      const found = options.recursiveFileLookup ? [] : discoverPartitions(listing, prefix, false).map(([n]) => n);
      const names = cloud.partitionColumns ?? found;
      return names.map((name) => ({ name, type: STRING, nullable: true, metadata: {} }));
    };

    let dataSchema: StructType;
    let partitionSchema: StructType;
    let store: SchemaStore | undefined;
    let version = -1;
    if (spec.schema !== undefined) {
      const parts = partitionsFound().map((p) => spec.schema!.fields.find((f) => f.name.toLowerCase() === p.name.toLowerCase()) ?? p);
      partitionSchema = struct(parts);
      dataSchema = struct(spec.schema.fields.filter((f) => !parts.some((p) => p.name === f.name)));
    } else {
      if (cloud.schemaLocation === undefined) {
        throw new DeltaError(
          'INVALID_ARGUMENT',
          `Auto Loader infers the schema of ${root}, so it needs a place to keep it: option('cloudFiles.schemaLocation', '<folder>') (for example the query's checkpointLocation). Or give the schema with .schema(...).`,
          { details: { option: 'cloudFiles.schemaLocation' } },
        );
      }
      store = new SchemaStore(ctx.engine.store, cloud.schemaLocation);
      const latest = await store.latest();
      if (latest !== undefined) {
        ({ dataSchema, partitionSchema, version } = latest);
      } else {
        partitionSchema = struct(partitionsFound());
        const partitionNames = new Set(partitionSchema.fields.map((f) => f.name.toLowerCase()));
        const inferred = await inferFileSchema(ctx.engine, listing, cloud.format, { inferTypes: cloud.inferColumnTypes, csvHeader: options.csvHeader, ...(ctx.signal ? { signal: ctx.signal } : {}) });
        if (inferred === undefined && (cloud.schemaHints ?? '').trim() === '') {
          throw new DeltaError(
            'INVALID_ARGUMENT',
            `Unable to infer a schema for ${cloud.format.toUpperCase()} at ${root}: no file there has a record yet. Add files before starting the stream, give cloudFiles.schemaHints for the columns you expect, or give the schema with .schema(...).`,
            { details: { path: root } },
          );
        }
        const hinted = applyHints(inferred ?? struct([]), cloud.schemaHints);
        dataSchema = struct(hinted.fields.filter((f) => !partitionNames.has(f.name.toLowerCase())));
        partitionSchema = struct(partitionSchema.fields.map((p) => hinted.fields.find((f) => f.name.toLowerCase() === p.name.toLowerCase()) ?? p));
        version = 0;
        await store.write(0, dataSchema, partitionSchema);
      }
    }
    if (cloud.rescueColumn !== undefined) dataSchema = struct(dataSchema.fields.filter((f) => f.name !== cloud.rescueColumn));
    const corrupt = dataSchema.fields.find((f) => f.name === options.corruptColumn);
    const reader: ReaderSpec = {
      format: cloud.format,
      dataSchema: corrupt === undefined ? dataSchema : struct(dataSchema.fields.filter((f) => f !== corrupt)),
      partitionSchema,
      rootPrefix: prefix,
      mode: options.mode,
      ...(corrupt === undefined ? {} : { corruptColumn: corrupt.name }),
      ...(cloud.rescueColumn === undefined ? {} : { rescueColumn: cloud.rescueColumn }),
      rescueNewFields: cloud.evolutionMode === 'rescue' || (cloud.evolutionMode === 'none' && cloud.rescueColumn !== undefined),
      csvHeader: options.csvHeader,
      ...(corrupt === undefined ? {} : { visibleOrder: struct([...dataSchema.fields, ...partitionSchema.fields, ...(cloud.rescueColumn === undefined ? [] : [{ name: cloud.rescueColumn, type: STRING, nullable: true, metadata: {} }])]) }),
    };
    const visible = struct([...dataSchema.fields, ...partitionSchema.fields, ...(cloud.rescueColumn === undefined ? [] : [{ name: cloud.rescueColumn, type: STRING, nullable: true, metadata: {} } satisfies StructField])]);
    const newColumns = evolution(cloud, store, version, dataSchema, partitionSchema, ctx.engine, options.csvHeader);
    return {
      kind: 'cloudFiles',
      schema: visible,
      hidden: [METADATA_FIELD],
      openStream: (streamCtx) => FileStreamSource.open(streamCtx, { name: 'CloudFilesSource', root, options, reader, ...(newColumns ? { newColumns } : {}) }),
    };
  },
};

function evolution(cloud: CloudFilesOptions, store: SchemaStore | undefined, version: number, dataSchema: StructType, partitionSchema: StructType, engine: Parameters<typeof inferFileSchema>[0], csvHeader: boolean): NewColumnsHandler | undefined {
  if (cloud.evolutionMode === 'failOnNewColumns') {
    return {
      async onNewColumns(names) {
        throw new DeltaError(
          'SCHEMA_CHANGED',
          `Auto Loader found new columns not in the schema: ${names.join(', ')} (cloudFiles.schemaEvolutionMode is failOnNewColumns, so the schema is not evolved). Add them with cloudFiles.schemaHints or .schema(...), remove the files that carry them, or switch to addNewColumns or rescue.`,
          { details: { columns: names } },
        );
      },
    };
  }
  if (cloud.evolutionMode !== 'addNewColumns' || store === undefined) return undefined;
  return {
    async onNewColumns(names, files: readonly ListedFile[]) {
      const inferred = await inferFileSchema(engine, files, cloud.format, { inferTypes: cloud.inferColumnTypes, csvHeader });
      const wanted = new Set(names.map((n) => n.toLowerCase()));
      const known = new Set([...dataSchema.fields, ...partitionSchema.fields].map((f) => f.name.toLowerCase()));
      const added = (inferred?.fields ?? []).filter((f) => wanted.has(f.name.toLowerCase()) && !known.has(f.name.toLowerCase()));
      for (const n of names) if (!added.some((f) => f.name.toLowerCase() === n.toLowerCase()) && !known.has(n.toLowerCase())) added.push({ name: n, type: STRING, nullable: true, metadata: {} });
      const hinted = applyHints(struct(added), cloud.schemaHints).fields.filter((f) => wanted.has(f.name.toLowerCase()));
      const next = struct([...dataSchema.fields, ...hinted]);
      try {
        await store.write(version + 1, next, partitionSchema);
      } catch (e) {
        if (!(e instanceof DeltaError && e.code === 'CONCURRENT_QUERY')) throw e;
      }
      const cols = hinted.map((f) => f.name);
      throw new DeltaError(
        'SCHEMA_CHANGED',
        `Auto Loader found new columns: ${cols.join(', ')}. They were added to the schema as version ${version + 1} in ${store.dir}, and the stream stopped as Auto Loader's addNewColumns mode does (UnknownFieldException). Restart the query to continue with them; with a Delta sink, set option('mergeSchema', 'true') so the table takes them too.`,
        { details: { columns: cols, schemaVersion: version + 1 } },
      );
    },
  };
}
