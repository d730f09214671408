/**
 * Source providers by format name (case-insensitive, as Spark's `DataSource.lookupDataSource`).
 * Built-ins: `delta` (batch and streaming), `json`/`csv`/`parquet`/`text` (streaming file source;
 * batch reads through `file-batch.ts`), `cloudFiles` (Auto Loader), `memory`; more register themselves
 * through {@link registerSource}.
 */
import { DeltaError } from '@deltakit/core';
import type { SourceSpec } from '../plan/logical.js';
import { deltaSourceProvider } from './delta-source.js';
import { fileBatchProvider } from './file-batch.js';
import { fileStreamProvider } from './file-stream-provider.js';
import { cloudFilesProvider } from './cloud-files/provider.js';
import { memoryProvider } from './memory-source.js';
import { memoryTableProvider } from '../sinks/memory-sink.js';
import type { ResolveContext, ResolvedRelation, SourceProvider } from './source.js';

const providers = new Map<string, SourceProvider>();

/** Adds (or replaces) the provider of each of its formats. */
export function registerSource(provider: SourceProvider): void {
  for (const f of provider.formats) providers.set(f.toLowerCase(), provider);
}

let builtinsRegistered = false;

/** Registers the built-ins on first use (not at import time: their modules import this one). */
function registerBuiltins(): void {
  if (builtinsRegistered) return;
  builtinsRegistered = true;
  for (const p of [memoryProvider, deltaSourceProvider, fileStreamProvider, cloudFilesProvider, fileBatchProvider, memoryTableProvider]) {
    for (const f of p.formats) if (!providers.has(f.toLowerCase())) providers.set(f.toLowerCase(), p);
  }
  /** A relation given as is (the DataFrame of a foreachBatch micro-batch). */
  providers.set('relation', { formats: ['relation'], resolve: async (spec) => spec.instance as ResolvedRelation });
}

export async function resolveRelation(spec: SourceSpec, streaming: boolean, ctx: ResolveContext): Promise<ResolvedRelation> {
  registerBuiltins();
  const provider = providers.get(spec.format.toLowerCase());
  if (provider === undefined) {
    throw new DeltaError('INVALID_ARGUMENT', `Unknown source format '${spec.format}'. Known formats: ${[...providers.keys()].sort().join(', ')}.`, { details: { format: spec.format } });
  }
  const relation = await provider.resolve(spec, streaming, ctx);
  if (streaming && relation.openStream === undefined) {
    throw new DeltaError('UNSUPPORTED_OPERATION', `The '${spec.format}' source cannot be read as a stream yet. Read it with read.format('${spec.format}') as a batch DataFrame.`, { details: { format: spec.format } });
  }
  if (!streaming && relation.read === undefined) {
    throw new DeltaError('UNSUPPORTED_OPERATION', `The '${spec.format}' source can only be read as a stream: use readStream.format('${spec.format}').`, { details: { format: spec.format } });
  }
  return relation;
}
