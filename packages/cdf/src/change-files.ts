/**
 * Which files of one commit hold its changes, and which of their rows (Delta Spark's CDCReader and
 * delta-kernel-rs `table_changes`):
 * - a commit with `cdc` actions: only its change data files, whose `_change_type` column is
 *   returned as written; partition values come from each `cdc` action; the commit's `add` and
 *   `remove` actions are ignored;
 * - otherwise `add` actions with `dataChange: true` give `insert` rows (the file minus its
 *   deletion vector) and `remove` actions with `dataChange: true` give `delete` rows (the file minus
 *   the deletion vector it had when removed); actions with `dataChange: false` give nothing;
 * - a `remove` and an `add` of the same file in one commit (a deletion vector changed): rows in the
 *   new deletion vector but not the old are `delete`, rows in the old but not the new are `insert`.
 */
import type { Action, AddFile, DeletionVectorDescriptor, Engine, RemoveFile } from '@deltakit/core';
import { DeletedRows, loadDeletionVector, resolveLogPath } from '@deltakit/core/internal';

/** Which rows of a file are changes. */
export type RowSelection =
  | { readonly kind: 'all' }
  /** Every row except these (a deletion vector). */
  | { readonly kind: 'except'; readonly rows: DeletedRows }
  /** Only these rows (the difference of two deletion vectors). */
  | { readonly kind: 'only'; readonly rows: DeletedRows };

/** A data or change data file to read, with what its rows mean. */
export interface ChangeFile {
  /** Store path. */
  readonly path: string;
  readonly size: number | undefined;
  /** `cdc`: the file has a `_change_type` column; otherwise every selected row has `changeType`. */
  readonly source: 'cdc' | 'add' | 'remove';
  readonly changeType: 'insert' | 'delete' | undefined;
  /** Serialized partition values keyed by physical column name; undefined when the action has none. */
  readonly partitionValues: Readonly<Record<string, string | null>> | undefined;
  readonly version: number;
  readonly timestamp: number;
  readonly selection: RowSelection;
}

/** A change file before its deletion vectors are loaded: `minus` is subtracted from `of` (undefined = empty set). */
export interface PendingFile extends Omit<ChangeFile, 'selection'> {
  readonly dv: { readonly kind: 'except'; readonly dv: DeletionVectorDescriptor | undefined } | { readonly kind: 'difference'; readonly of: DeletionVectorDescriptor | undefined; readonly minus: DeletionVectorDescriptor | undefined };
}

export interface CommitContext {
  readonly tableRoot: string;
  readonly version: number;
  readonly timestamp: number;
}

/** Deletion vectors loaded at once. */
const DV_CONCURRENCY = 8;

/**
 * Loads the deletion vectors of `files` (a few at a time) and returns them with their row
 * selections, in order; files where no row changed (equal deletion vectors) are dropped.
 */
export async function resolveFiles(files: readonly PendingFile[], engine: Engine, tableRoot: string, signal: AbortSignal | undefined): Promise<ChangeFile[]> {
  const selections = new Array<RowSelection>(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      selections[i] = await resolveSelection(files[i]!, engine, tableRoot, signal);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DV_CONCURRENCY, files.length) }, worker));
  const out: ChangeFile[] = [];
  files.forEach((p, i) => {
    const selection = selections[i]!;
    if (selection.kind === 'only' && selection.rows.cardinality === 0) return; // nothing changed in this file
    const { dv: _dv, ...file } = p;
    out.push({ ...file, selection });
  });
  return out;
}

/** The files holding one commit's changes, in action order (deletion vectors not yet loaded). */
export function pendingChangeFiles(actions: readonly Action[], ctx: CommitContext): PendingFile[] {
  const at = { version: ctx.version, timestamp: ctx.timestamp };
  const resolve = (path: string) => resolveLogPath(ctx.tableRoot, path);
  const cdcs = actions.flatMap((a) => (a.kind === 'cdc' ? [a.cdc] : []));
  if (cdcs.length > 0) {
    return cdcs.map((c) => ({ path: resolve(c.path), size: c.size, source: 'cdc', changeType: undefined, partitionValues: c.partitionValues, ...at, dv: { kind: 'except', dv: undefined } }));
  }
  const adds = new Map<string, AddFile>();
  const removes = new Map<string, RemoveFile>();
  for (const a of actions) {
    if (a.kind === 'add' && a.add.dataChange) adds.set(resolve(a.add.path), a.add);
    else if (a.kind === 'remove' && a.remove.dataChange) removes.set(resolve(a.remove.path), a.remove);
  }
  const out: PendingFile[] = [];
  for (const a of actions) {
    if (a.kind === 'remove' && a.remove.dataChange) {
      const path = resolve(a.remove.path);
      const add = adds.get(path);
      const r = a.remove;
      const base = { path, size: r.size ?? add?.size, source: 'remove', changeType: 'delete', partitionValues: r.partitionValues ?? add?.partitionValues, ...at } as const;
      out.push({ ...base, dv: add === undefined ? { kind: 'except', dv: r.deletionVector } : { kind: 'difference', of: add.deletionVector, minus: r.deletionVector } });
    } else if (a.kind === 'add' && a.add.dataChange) {
      const path = resolve(a.add.path);
      const remove = removes.get(path);
      const d = a.add;
      const base = { path, size: d.size, source: 'add', changeType: 'insert', partitionValues: d.partitionValues, ...at } as const;
      out.push({ ...base, dv: remove === undefined ? { kind: 'except', dv: d.deletionVector } : { kind: 'difference', of: remove.deletionVector, minus: d.deletionVector } });
    }
  }
  return out;
}

async function resolveSelection(p: PendingFile, engine: Engine, tableRoot: string, signal: AbortSignal | undefined): Promise<RowSelection> {
  const load = (dv: DeletionVectorDescriptor | undefined): Promise<DeletedRows> =>
    dv === undefined ? Promise.resolve(DeletedRows.empty()) : loadDeletionVector(engine, tableRoot, dv, signal ? { signal } : {});
  if (p.dv.kind === 'except') return p.dv.dv === undefined ? { kind: 'all' } : { kind: 'except', rows: await load(p.dv.dv) };
  const [of, minus] = await Promise.all([load(p.dv.of), load(p.dv.minus)]);
  return { kind: 'only', rows: difference(of, minus) };
}

/** Rows of `a` that are not in `b`. */
function difference(a: DeletedRows, b: DeletedRows): DeletedRows {
  if (a.cardinality === 0 || b.cardinality === 0) return a;
  const rows: number[] = [];
  for (const r of a.rows()) if (!b.has(r)) rows.push(r);
  return DeletedRows.fromRows(rows);
}
