/** Options every DML statement takes. */
export interface DmlOptions {
  readonly signal?: AbortSignal;
  /** commitInfo.engineInfo; default `deltakit/<version>`. */
  readonly engineInfo?: string;
}
