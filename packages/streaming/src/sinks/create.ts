/** The sink a `writeStream.format(...)` names. */
import { DeltaError } from '@deltakit/core';
import { tableRootFromUri } from '@deltakit/core/internal';
import { option } from '../sources/source.js';
import { ConsoleSink } from './console-sink.js';
import { DeltaSink, requireSinkPath } from './delta-sink.js';
import { ForeachBatchSink, type ForeachBatchFunction } from './foreach-batch-sink.js';
import { MemorySink } from './memory-sink.js';
import type { Sink } from './sink.js';

export interface SinkSpec {
  readonly path: string | undefined;
  readonly options: Readonly<Record<string, string>>;
  readonly partitionBy: readonly string[];
  readonly queryName: string | null;
  readonly foreachBatch: ForeachBatchFunction | undefined;
}

/** Sinks registered by other modules (file sinks), by lower-case format. */
const extra = new Map<string, (spec: SinkSpec) => Sink>();

export function registerSink(format: string, create: (spec: SinkSpec) => Sink): void {
  extra.set(format.toLowerCase(), create);
}

export function createSink(format: string, spec: SinkSpec): Sink {
  const f = format.toLowerCase();
  switch (f) {
    case 'delta':
      return new DeltaSink({
        path: tableRootFromUri(requireSinkPath(spec.path, 'delta')),
        mergeSchema: option(spec.options, 'mergeSchema')?.toLowerCase() === 'true',
        partitionBy: spec.partitionBy,
        options: spec.options,
      });
    case 'foreachbatch':
      return new ForeachBatchSink(spec.foreachBatch!);
    case 'memory':
      if (spec.queryName === null) throw new DeltaError('INVALID_ARGUMENT', "The memory sink needs a query name: writeStream.format('memory').queryName('<name>'); read it back with read.table('<name>').");
      return new MemorySink(spec.queryName);
    case 'console':
      return new ConsoleSink(Number(option(spec.options, 'numRows') ?? 20), (option(spec.options, 'truncate') ?? 'true').toLowerCase() !== 'false');
  }
  const create = extra.get(f);
  if (create === undefined) throw new DeltaError('INVALID_ARGUMENT', `Unknown sink format '${format}'. Use delta, memory, console, json, csv, parquet, or foreachBatch(...).`);
  return create(spec);
}
