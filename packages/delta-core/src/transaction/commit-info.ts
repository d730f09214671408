import type { CommitInfo } from '../log/actions.js';
import { toJson } from '../log/serialize-actions.js';
import type { IsolationLevel } from './conflict-checker.js';

/** `commitInfo.engineInfo` written unless the caller names its own engine. */
export const DEFAULT_ENGINE_INFO = 'deltakit/0.1.0';

/** Everything that goes into one attempt's commitInfo. */
export interface CommitInfoInput {
  readonly timestamp: number;
  readonly inCommitTimestamp: number | undefined;
  readonly operation: string;
  readonly operationParameters: Readonly<Record<string, unknown>>;
  /** Absent when creating the table (version 0). */
  readonly readVersion: number | undefined;
  readonly isolationLevel: IsolationLevel;
  readonly isBlindAppend: boolean;
  readonly operationMetrics: Readonly<Record<string, unknown>>;
  readonly engineInfo: string;
  readonly txnId: string;
}

/**
 * The commitInfo of one commit attempt, fields in the order Delta Spark writes them
 * (`inCommitTimestamp` first so readers find it cheaply). Parameter and metric values are
 * strings, as Spark writes them: strings stay as they are, anything else becomes its JSON text.
 */
export function buildCommitInfo(input: CommitInfoInput): CommitInfo {
  const metrics = stringValues(input.operationMetrics);
  return {
    ...(input.inCommitTimestamp === undefined ? {} : { inCommitTimestamp: input.inCommitTimestamp }),
    timestamp: input.timestamp,
    operation: input.operation,
    operationParameters: stringValues(input.operationParameters),
    ...(input.readVersion === undefined ? {} : { readVersion: input.readVersion }),
    isolationLevel: input.isolationLevel,
    isBlindAppend: input.isBlindAppend,
    ...(Object.keys(metrics).length === 0 ? {} : { operationMetrics: metrics }),
    engineInfo: input.engineInfo,
    txnId: input.txnId,
  };
}

/** Each value as a string: strings unchanged, `undefined` dropped, everything else as JSON text. */
export function stringValues(record: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'string' ? v : toJson(v, `commitInfo.${k}`);
  }
  return out;
}

/**
 * The in-commit timestamp of a new commit: the current time, but strictly after the previous
 * commit's timestamp (its ICT, else its file modification time) so commit times stay monotonic.
 */
export function nextInCommitTimestamp(nowMs: number, previousMs: number | undefined): number {
  return previousMs === undefined ? nowMs : Math.max(nowMs, previousMs + 1);
}
