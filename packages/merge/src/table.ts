import { DeltaTable as CoreDeltaTable } from '@deltakit/core';
import { deleteFrom, type DeleteResult } from './delete.js';
import type { ExprInput } from './exec/condition.js';
import { mergeInto, type MergeBuilder, type MergeOptions } from './merge/builder.js';
import type { MergeSource } from './merge/source.js';
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
  #alias: string | undefined;

  /** The alias given with {@link alias}, used to qualify target columns in MERGE (`t.id`). */
  get aliasName(): string | undefined {
    return this.#alias;
  }

  /** This table under an alias (a copy), as delta-spark's `DeltaTable.as`. */
  alias(name: string): this {
    const copy = this.withSessionTimeZone(this.sessionTimeZone);
    copy.#alias = name;
    return copy;
  }

  protected override copyStateFrom(other: this): void {
    super.copyStateFrom(other);
    this.#alias = other.#alias;
  }

  /** MERGE INTO this table USING `source` ON `condition`; add WHEN clauses, then `execute()`. See `mergeInto`. */
  merge(source: MergeSource, condition: ExprInput, options: MergeOptions = {}): MergeBuilder {
    return mergeInto(this, source, condition, options);
  }

  /** Deletes the rows matching `condition` (every row without one). See `deleteFrom`. */
  async delete(condition?: ExprInput, options: DmlOptions = {}): Promise<DeleteResult> {
    return deleteFrom(this, { ...options, ...(condition === undefined ? {} : { condition }) });
  }

  /** Sets columns (or nested fields `a.b`) of the rows matching `condition` (every row without one). See `updateTable`. */
  async update(spec: { readonly set: Readonly<Record<string, ExprInput>>; readonly condition?: ExprInput }, options: DmlOptions = {}): Promise<UpdateResult> {
    return updateTable(this, { ...options, set: spec.set, ...(spec.condition === undefined ? {} : { condition: spec.condition }) });
  }
}
