import { DeltaTable as CoreDeltaTable } from '@deltakit/core';
import { deleteFrom, type DeleteResult } from './delete.js';
import type { ExprInput } from './exec/condition.js';
import type { DmlOptions } from './options.js';
import { updateTable, type UpdateResult } from './update.js';

/**
 * A Delta table with DML: core's `DeltaTable` plus `delete` and `update`, as delta-spark's
 * `DeltaTable` API reads. `DeltaTable.forPath(path)` returns this class.
 *
 * @example
 * const table = DeltaTable.forPath('./events');
 * await table.delete("country = 'FR' AND ts < TIMESTAMP '2024-01-01'");
 * await table.update({ set: { status: "'archived'" }, condition: 'ts < current_date()' });
 */
export class DeltaTable extends CoreDeltaTable {
  /** Deletes the rows matching `condition` (every row without one). See `deleteFrom`. */
  async delete(condition?: ExprInput, options: DmlOptions = {}): Promise<DeleteResult> {
    return deleteFrom(this, { ...options, ...(condition === undefined ? {} : { condition }) });
  }

  /** Sets columns (or nested fields `a.b`) of the rows matching `condition` (every row without one). See `updateTable`. */
  async update(spec: { readonly set: Readonly<Record<string, ExprInput>>; readonly condition?: ExprInput }, options: DmlOptions = {}): Promise<UpdateResult> {
    return updateTable(this, { ...options, set: spec.set, ...(spec.condition === undefined ? {} : { condition: spec.condition }) });
  }
}
