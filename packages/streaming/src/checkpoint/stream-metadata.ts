/**
 * `<checkpoint>/metadata`: the query id, written once on the first start (Spark's
 * StreamMetadata, `{"id":"<uuid>"}`). deltakit adds what a restart may not change (the sources'
 * kinds in order and the sink's kind) under `deltakit`, which Spark ignores.
 */
import { randomUUID } from 'node:crypto';
import { DeltaError, type ObjectStore } from '@deltakit/core';
import { isNotFound } from './metadata-log.js';

export interface StreamMetadata {
  readonly id: string;
  readonly deltakit?: { readonly version: 1; readonly sources: readonly string[]; readonly sink: string };
}

/** Reads the checkpoint's metadata, creating it on a first start; checks the restart is compatible. */
export async function loadOrCreateMetadata(store: ObjectStore, checkpoint: string, shape: { sources: readonly string[]; sink: string }): Promise<StreamMetadata> {
  const path = `${checkpoint}/metadata`;
  let existing: StreamMetadata | undefined;
  try {
    existing = JSON.parse(new TextDecoder().decode(await store.get(path))) as StreamMetadata;
  } catch (e) {
    if (!isNotFound(e)) {
      throw e instanceof SyntaxError ? new DeltaError('CORRUPT_CHECKPOINT', `${path} is not valid JSON: the checkpoint is corrupt. Restore it, or use a new checkpointLocation.`, { cause: e }) : e;
    }
  }
  if (existing === undefined) {
    const created: StreamMetadata = { id: randomUUID(), deltakit: { version: 1, sources: shape.sources, sink: shape.sink } };
    const r = await store.putIfAbsent(path, new TextEncoder().encode(JSON.stringify(created)));
    if (r.created) return created;
    return loadOrCreateMetadata(store, checkpoint, shape);
  }
  if (typeof existing.id !== 'string') throw new DeltaError('CORRUPT_CHECKPOINT', `${path} has no query id: the checkpoint is corrupt.`);
  const recorded = existing.deltakit;
  if (recorded !== undefined) {
    if (recorded.sources.length !== shape.sources.length || recorded.sources.some((s, i) => s !== shape.sources[i])) {
      throw incompatible(checkpoint, `it was written by a query reading ${describe(recorded.sources)}, and this query reads ${describe(shape.sources)}`);
    }
    if (recorded.sink !== shape.sink) throw incompatible(checkpoint, `it was written by a query with a ${recorded.sink} sink, and this query writes to a ${shape.sink} sink`);
  }
  return existing;
}

const describe = (sources: readonly string[]) => `${sources.length} source${sources.length === 1 ? '' : 's'} (${sources.join(', ')})`;

function incompatible(checkpoint: string, why: string): DeltaError {
  return new DeltaError('CHECKPOINT_INCOMPATIBLE', `The checkpoint at ${checkpoint} cannot be used by this query: ${why}. Spark does not allow changing the number or kind of sources or the kind of sink on restart. Use a new checkpointLocation for the changed query.`, { details: { checkpoint } });
}
