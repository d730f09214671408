/**
 * The logical plan a DataFrame builds: an immutable tree, unresolved (column names are checked
 * and types assigned by `analyze.ts`, once the sources' schemas are known). Batch and streaming
 * DataFrames share it; a plan is streaming when any leaf is a streaming source.
 */
import type { Expr, StructType } from '@deltakit/core';
import type { Column } from '../api/column.js';
import type { GroupStateSpec } from '../api/group-state.js';

/** What a leaf reads, as the user described it: the reader's format, options, path and schema. */
export interface SourceSpec {
  readonly format: string;
  /** Options with keys as given (lookups are case-insensitive, as Spark's). */
  readonly options: Readonly<Record<string, string>>;
  readonly path?: string;
  /** A user-specified schema (`.schema(...)`). */
  readonly schema?: StructType;
  /** A source object given directly (memoryStream), instead of a format to look up. */
  readonly instance?: unknown;
}

/**
 * A leaf. `id` identifies the leaf object: a DataFrame reused twice (a self-join) reads the same
 * source once per batch, as Spark's StreamingExecutionRelation does.
 */
export interface LeafNode {
  readonly kind: 'source';
  readonly id: number;
  readonly streaming: boolean;
  readonly spec: SourceSpec;
}

export type JoinType = 'inner' | 'left_outer' | 'right_outer' | 'full_outer' | 'left_semi' | 'left_anti' | 'cross';

export type PlanNode =
  | LeafNode
  | { readonly kind: 'project'; readonly child: PlanNode; readonly columns: readonly Column[] }
  | { readonly kind: 'withColumns'; readonly child: PlanNode; readonly columns: readonly (readonly [string, Column])[] }
  | { readonly kind: 'rename'; readonly child: PlanNode; readonly from: string; readonly to: string }
  | { readonly kind: 'drop'; readonly child: PlanNode; readonly names: readonly string[] }
  | { readonly kind: 'filter'; readonly child: PlanNode; readonly condition: Expr }
  | { readonly kind: 'union'; readonly left: PlanNode; readonly right: PlanNode; readonly byName: boolean; readonly allowMissingColumns: boolean }
  | { readonly kind: 'join'; readonly left: PlanNode; readonly right: PlanNode; readonly on: Expr | readonly string[] | undefined; readonly how: JoinType }
  | { readonly kind: 'watermark'; readonly child: PlanNode; readonly column: string; readonly delay: string }
  | { readonly kind: 'aggregate'; readonly child: PlanNode; readonly keys: readonly Column[]; readonly aggregates: readonly Column[] }
  | { readonly kind: 'dedup'; readonly child: PlanNode; readonly columns: readonly string[] | undefined; readonly withinWatermark: boolean }
  | { readonly kind: 'sort'; readonly child: PlanNode; readonly columns: readonly Column[] }
  | { readonly kind: 'limit'; readonly child: PlanNode; readonly n: number }
  /** `groupBy(keys).flatMapGroupsWithState(fn, ...)`: arbitrary stateful processing per key (see api/group-state.ts). */
  | { readonly kind: 'groupState'; readonly child: PlanNode; readonly keys: readonly Column[]; readonly spec: GroupStateSpec };

let nextLeafId = 0;

export function leaf(spec: SourceSpec, streaming: boolean): LeafNode {
  return { kind: 'source', id: nextLeafId++, streaming, spec };
}

/** The children of a node. */
export function childrenOf(n: PlanNode): readonly PlanNode[] {
  switch (n.kind) {
    case 'source':
      return [];
    case 'union':
    case 'join':
      return [n.left, n.right];
    default:
      return [n.child];
  }
}

/** Every distinct leaf of a plan, in depth-first left-to-right order (Spark's source order). */
export function leavesOf(n: PlanNode): LeafNode[] {
  const seen = new Set<number>();
  const out: LeafNode[] = [];
  const walk = (p: PlanNode) => {
    if (p.kind === 'source') {
      if (!seen.has(p.id)) {
        seen.add(p.id);
        out.push(p);
      }
      return;
    }
    for (const c of childrenOf(p)) walk(c);
  };
  walk(n);
  return out;
}

export function isStreamingPlan(n: PlanNode): boolean {
  return leavesOf(n).some((l) => l.streaming);
}
