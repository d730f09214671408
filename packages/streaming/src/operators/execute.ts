/**
 * Runs an analyzed plan as a stream of record batches. Batch queries and micro-batches run the
 * same operators; only the leaves' input differs (see {@link ExecContext}).
 */
import { DeltaError, deltaToArrowSchema } from '@deltakit/core';
import { Data, RecordBatch, Struct } from 'apache-arrow';
import type { Analyzed } from '../plan/analyze.js';
import type { ExecContext } from './context.js';
import { aggregate } from './aggregate.js';
import { dedup } from './dedup.js';
import { filter } from './filter.js';
import { limit } from './limit.js';
import { streamingLimit } from './streaming-limit.js';
import { sort } from './sort.js';
import { join } from './join.js';
import { project } from './project.js';
import { watermark } from './watermark.js';
import { streamingAggregate } from './streaming-aggregate.js';
import { streamingDedup } from './streaming-dedup.js';
import { groupStateBatch, groupStateStreaming } from './group-state.js';
import { sessionAggregate } from './session-window.js';
import { isSessionAggregate, streamingSessionAggregate } from './session-window-streaming.js';
import { streamingJoin } from './streaming-join.js';
import { timeWindow } from './time-window.js';

export function execute(node: Analyzed, ctx: ExecContext): AsyncIterable<RecordBatch> {
  switch (node.kind) {
    case 'scan':
      return relabel(node, ctx.input(node));
    case 'project':
      return project(node, execute(node.child, ctx), ctx);
    case 'filter':
      return filter(node, execute(node.child, ctx), ctx);
    case 'watermark':
      return watermark(node, execute(node.child, ctx), ctx);
    case 'union':
      return concat(node.children.map((c) => () => execute(c, ctx)));
    case 'join':
      if (node.left.streaming && node.right.streaming && ctx.stateful) return streamingJoin(node, ctx, ctx.stateful, execute);
      return join(node, ctx, execute);
    case 'timeWindow':
      return timeWindow(node, execute(node.child, ctx), ctx);
    case 'aggregate':
      if (isSessionAggregate(node)) {
        if (node.streaming && ctx.stateful) return streamingSessionAggregate(node, execute(node.child, ctx), ctx, ctx.stateful);
        return sessionAggregate(node, execute(node.child, ctx), ctx);
      }
      if (node.streaming && ctx.stateful) return streamingAggregate(node, execute(node.child, ctx), ctx, ctx.stateful);
      return aggregate(node, execute(node.child, ctx), ctx);
    case 'dedup':
      if (node.streaming && ctx.stateful) return streamingDedup(node, execute(node.child, ctx), ctx.stateful);
      return dedup(node, execute(node.child, ctx));
    case 'sort':
      return sort(node, execute(node.child, ctx), ctx);
    case 'limit':
      if (node.streaming && ctx.stateful) return streamingLimit(node, execute(node.child, ctx), ctx.stateful);
      return limit(node, execute(node.child, ctx));
    case 'groupState':
      if (node.streaming && ctx.stateful) return groupStateStreaming(node, execute(node.child, ctx), ctx, ctx.stateful);
      return groupStateBatch(node, execute(node.child, ctx), ctx);
  }
}

async function* concat(parts: readonly (() => AsyncIterable<RecordBatch>)[]): AsyncGenerator<RecordBatch> {
  for (const p of parts) yield* p();
}

/**
 * Source batches carry the source's own Arrow field names and metadata; give them the node's
 * schema (same columns, same order) so operators see one shape.
 */
async function* relabel(node: Extract<Analyzed, { kind: 'scan' }>, input: AsyncIterable<RecordBatch>): AsyncGenerator<RecordBatch> {
  const schema = deltaToArrowSchema(node.schema);
  for await (const b of input) {
    if (b.numCols !== schema.fields.length) {
      throw new DeltaError('INTERNAL', `A ${node.relation.kind} source produced ${b.numCols} columns where its schema has ${schema.fields.length}. This is a deltakit bug; please report it.`);
    }
    yield b.schema === schema ? b : new RecordBatch(schema, new Data(new Struct(schema.fields), 0, b.numRows, 0, undefined, b.data.children) as Data<Struct>);
  }
}
