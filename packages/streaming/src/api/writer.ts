/**
 * `df.write`: batch writes of a DataFrame to a Delta table, as PySpark's DataFrameWriter with
 * format delta: `mode` (`append`, `overwrite`, `error`/`errorifexists` (default), `ignore`),
 * `partitionBy`, and Delta's options `mergeSchema`, `overwriteSchema`, `replaceWhere`,
 * `partitionOverwriteMode`, and `txnAppId` + `txnVersion` (an idempotent write, skipped when the
 * table already holds that app transaction version).
 */
import { DeltaError, DeltaTable, type WriteMode, type WriteResult } from '@deltakit/core';
import { option } from '../sources/source.js';
import type { DataFrame } from './dataframe.js';

type OptionValue = string | number | boolean | bigint;

interface State {
  readonly format: string;
  readonly mode: WriteMode;
  readonly options: Readonly<Record<string, string>>;
  readonly partitionBy: readonly string[];
}

const MODES: Readonly<Record<string, WriteMode>> = { append: 'append', overwrite: 'overwrite', error: 'errorIfExists', errorifexists: 'errorIfExists', default: 'errorIfExists', ignore: 'ignore' };

export class DataFrameWriter {
  readonly #df: DataFrame;
  readonly #state: State;
  constructor(df: DataFrame, state: State = { format: 'delta', mode: 'errorIfExists', options: {}, partitionBy: [] }) {
    this.#df = df;
    this.#state = state;
  }

  #with(changes: Partial<State>): DataFrameWriter {
    return new DataFrameWriter(this.#df, { ...this.#state, ...changes });
  }

  format(format: string): DataFrameWriter {
    return this.#with({ format });
  }

  mode(mode: string): DataFrameWriter {
    const m = MODES[mode.toLowerCase()];
    if (m === undefined) throw new DeltaError('INVALID_ARGUMENT', `Unknown save mode '${mode}'. Use append, overwrite, error (errorifexists) or ignore.`);
    return this.#with({ mode: m });
  }

  option(key: string, value: OptionValue): DataFrameWriter {
    return this.#with({ options: { ...this.#state.options, [key]: String(value) } });
  }

  options(options: Readonly<Record<string, OptionValue>>): DataFrameWriter {
    const merged: Record<string, string> = { ...this.#state.options };
    for (const [k, v] of Object.entries(options)) merged[k] = String(v);
    return this.#with({ options: merged });
  }

  partitionBy(...columns: string[]): DataFrameWriter {
    return this.#with({ partitionBy: columns.flat() });
  }

  /** Writes the rows to the Delta table at `path` in one commit. */
  async save(path: string, opts: { signal?: AbortSignal } = {}): Promise<WriteResult> {
    if (this.#state.format.toLowerCase() !== 'delta') {
      throw new DeltaError('UNSUPPORTED_OPERATION', `Batch writes in ${this.#state.format} format are not supported; write Delta tables (format('delta')).`);
    }
    const o = this.#state.options;
    const appId = option(o, 'txnAppId');
    const appVersion = option(o, 'txnVersion');
    if ((appId === undefined) !== (appVersion === undefined)) throw new DeltaError('INVALID_ARGUMENT', 'txnAppId and txnVersion go together: give both for an idempotent write, or neither.');
    if (appVersion !== undefined && !/^\d+$/.test(appVersion)) throw new DeltaError('INVALID_ARGUMENT', `txnVersion must be a non-negative integer, got '${appVersion}'.`);
    const session = this.#df.session;
    const schema = await this.#df.schema();
    const replaceWhere = option(o, 'replaceWhere');
    const overwriteMode = option(o, 'partitionOverwriteMode')?.toLowerCase();
    return DeltaTable.forPath(path, { engine: session.engine, sessionTimeZone: session.timeZone }).write(this.#df.batches(opts), {
      mode: this.#state.mode,
      inputSchema: schema,
      ...(this.#state.partitionBy.length > 0 ? { partitionBy: this.#state.partitionBy } : {}),
      mergeSchema: option(o, 'mergeSchema')?.toLowerCase() === 'true',
      overwriteSchema: option(o, 'overwriteSchema')?.toLowerCase() === 'true',
      ...(replaceWhere === undefined ? {} : { replaceWhere }),
      ...(overwriteMode === 'dynamic' || overwriteMode === 'static' ? { partitionOverwriteMode: overwriteMode } : {}),
      ...(appId !== undefined && appVersion !== undefined ? { appTransaction: { appId, version: BigInt(appVersion) } } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  /** `saveAsTable` for path-based tables: the same as `save(path)`. */
  saveAsTable(path: string, opts: { signal?: AbortSignal } = {}): Promise<WriteResult> {
    return this.save(path, opts);
  }
}
