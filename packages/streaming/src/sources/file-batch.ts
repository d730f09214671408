/**
 * `read.format('json'|'csv'|'parquet').load(path)`: every data file under `path` (a file or a
 * folder, hidden `_`/`.` entries skipped) as one batch DataFrame. JSON is read as JSON lines
 * and CSV with a header row, as `deltakit write` reads them; without `.schema(...)` the schema is
 * inferred over the files. The streaming file source is `file-source.ts`.
 *
 * A folder written by a file sink (it has `_spark_metadata`) is read through the sink's log: only
 * committed files, with Hive-style partition columns (see sink-output.ts), as Spark does.
 */
import { DeltaError } from '@deltakit/core';
import { openInputPath, tableRootFromUri, type InputFormat } from '@deltakit/core/internal';
import { hasSinkMetadata } from '../sinks/file-sink-log.js';
import { committedInput } from './sink-output.js';
import { requirePath, type ResolvedRelation, type SourceProvider } from './source.js';

const FORMATS: Readonly<Record<string, InputFormat>> = { json: 'jsonl', jsonl: 'jsonl', csv: 'csv', parquet: 'parquet' };

export const fileBatchProvider: SourceProvider = {
  formats: Object.keys(FORMATS),
  async resolve(spec, streaming, ctx): Promise<ResolvedRelation> {
    if (streaming) throw new DeltaError('UNSUPPORTED_OPERATION', `Streaming ${spec.format} files is not available in this build; use format('cloudFiles') or read them as a batch.`);
    const format = FORMATS[spec.format.toLowerCase()]!;
    const path = tableRootFromUri(requirePath(spec, false));
    if (await hasSinkMetadata(ctx.engine.store, path)) {
      const committed = await committedInput(ctx.engine.store, path, format, spec.schema, ctx.signal);
      return { kind: spec.format.toLowerCase(), schema: committed.schema, hidden: [], read: (readCtx) => committed.read(readCtx.signal) };
    }
    const input = await openInputPath(ctx.engine.store, path, format, ctx.signal);
    const schema = spec.schema ?? (await input.schema(ctx.signal));
    await input.close();
    return {
      kind: spec.format.toLowerCase(),
      schema,
      hidden: [],
      async *read(readCtx) {
        const source = await openInputPath(ctx.engine.store, path, format, readCtx.signal);
        try {
          yield* source.batches(schema, readCtx.signal);
        } finally {
          await source.close();
        }
      },
    };
  },
};
