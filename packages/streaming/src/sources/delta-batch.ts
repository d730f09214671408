/**
 * `read.format('delta').load(path)`: a table's rows at its latest version, or at `versionAsOf` /
 * `timestampAsOf`, as Spark's batch Delta reader. Without time travel each read (each action,
 * each micro-batch of a stream-static join) reads the table's latest version, in the columns
 * resolved when the DataFrame was analyzed. The `delta` provider (`delta-source.ts`) calls this
 * for batch reads and reads streams itself.
 */
import { DeltaError, DeltaTable } from '@deltakit/core';
import type { SourceSpec } from '../plan/logical.js';
import { option, requirePath, type ResolveContext, type ResolvedRelation } from './source.js';

export async function resolveDeltaBatch(spec: SourceSpec, ctx: ResolveContext): Promise<ResolvedRelation> {
  const table = DeltaTable.forPath(requirePath(spec, false), { engine: ctx.engine });
  const versionAsOf = option(spec, 'versionAsOf');
  const timestampAsOf = option(spec, 'timestampAsOf');
  if (versionAsOf !== undefined && timestampAsOf !== undefined) {
    throw new DeltaError('INVALID_ARGUMENT', 'Give versionAsOf or timestampAsOf, not both.');
  }
  let version: number | undefined;
  if (versionAsOf !== undefined) {
    version = Number(versionAsOf);
    if (!Number.isSafeInteger(version) || version < 0) throw new DeltaError('INVALID_ARGUMENT', `versionAsOf must be a table version (an integer >= 0), got '${versionAsOf}'.`);
  }
  const snapshot = await table.snapshot({
    ...(version === undefined ? {} : { version }),
    ...(timestampAsOf === undefined ? {} : { timestamp: timestampAsOf }),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const pinned = version !== undefined || timestampAsOf !== undefined;
  const columns = snapshot.schema.fields.map((f) => f.name);
  return {
    kind: 'delta',
    schema: snapshot.schema,
    hidden: [],
    pushdown: true,
    // Without time travel every read sees the latest version, as Delta's file index refreshes the
    // log per query: a stream-static join reads its Delta side again for each micro-batch. A
    // pushed filter prunes files by partition values and statistics (and filters rows exactly).
    async *read(readCtx, pushdown) {
      const snap = pinned ? snapshot : await table.snapshot(readCtx.signal ? { signal: readCtx.signal } : {});
      yield* snap
        .scan({ columns: pushdown?.columns ?? columns, ...(pushdown?.filter ? { filter: pushdown.filter } : {}), ...(readCtx.signal ? { signal: readCtx.signal } : {}) })
        .batches();
    },
  };
}
