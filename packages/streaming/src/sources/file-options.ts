/**
 * Options of the streaming file sources, as Spark's FileStreamOptions and Auto Loader's
 * `cloudFiles.*` options document them, parsed once at resolve time into one shape (typed
 * INVALID_ARGUMENT errors naming the option and what it accepts).
 */
import { DeltaError } from '@deltakit/core';
import { tableRootFromUri } from '@deltakit/core/internal';
import type { SourceSpec } from '../plan/logical.js';
import { parseDurationMs } from '../plan/durations.js';
import { globToRegExp } from './file-listing.js';
import type { FileFormat, ParseMode } from './file-reader.js';
import { option } from './source.js';

export interface FileSourceOptions {
  readonly format: FileFormat;
  readonly maxFilesPerTrigger: number | undefined;
  readonly maxBytesPerTrigger: number | undefined;
  readonly latestFirst: boolean;
  readonly maxFileAgeMs: number | undefined;
  readonly glob: RegExp | undefined;
  readonly recursiveFileLookup: boolean;
  readonly cleanSource: 'off' | 'archive' | 'delete';
  readonly sourceArchiveDir: string | undefined;
  readonly mode: ParseMode;
  readonly corruptColumn: string;
  readonly csvHeader: boolean;
  readonly includeExistingFiles: boolean;
  readonly allowOverwrites: boolean;
  readonly useNotifications: boolean;
  readonly backfillIntervalMs: number;
}

/** Spark's default `maxFileAge` for file sources (a week); Auto Loader has none. */
const WEEK_MS = 7 * 24 * 3600 * 1000;
/** Backfill listing interval when `cloudFiles.useNotifications` is on and none is given. */
export const DEFAULT_BACKFILL_MS = 10_000;

const FORMATS: Readonly<Record<string, FileFormat>> = { json: 'json', jsonl: 'json', csv: 'csv', text: 'text', parquet: 'parquet' };

export function fileFormat(name: string, optionName: string): FileFormat {
  const f = FORMATS[name.toLowerCase()];
  if (f === undefined) throw new DeltaError('INVALID_ARGUMENT', `${optionName} '${name}' is not a supported file format. Use json, csv, text or parquet.`, { details: { option: optionName } });
  return f;
}

/** Options of `readStream.format(format)` (plain file source) or `format('cloudFiles')` (`cloud`). */
export function parseFileOptions(spec: SourceSpec, format: FileFormat, cloud: boolean): FileSourceOptions {
  const get = (k: string) => (cloud ? (option(spec, `cloudFiles.${k}`) ?? option(spec, k)) : option(spec, k));
  const cleanSource = (option(spec, 'cleanSource') ?? 'off').toLowerCase();
  if (cleanSource !== 'off' && cleanSource !== 'archive' && cleanSource !== 'delete') throw bad('cleanSource', cleanSource, "'off', 'archive' (with sourceArchiveDir) or 'delete'");
  const archive = option(spec, 'sourceArchiveDir');
  if (cleanSource === 'archive' && (archive === undefined || archive === '')) {
    throw new DeltaError('INVALID_ARGUMENT', "cleanSource 'archive' needs sourceArchiveDir: option('sourceArchiveDir', '<folder outside the source path>').", { details: { option: 'sourceArchiveDir' } });
  }
  const mode = (option(spec, 'mode') ?? 'PERMISSIVE').toUpperCase();
  if (mode !== 'PERMISSIVE' && mode !== 'DROPMALFORMED' && mode !== 'FAILFAST') throw bad('mode', mode, 'PERMISSIVE, DROPMALFORMED or FAILFAST');
  const maxFileAge = get('maxFileAge');
  const backfill = option(spec, 'cloudFiles.backfillInterval');
  return {
    format,
    maxFilesPerTrigger: positive(get('maxFilesPerTrigger'), cloud ? 1000 : undefined, 'maxFilesPerTrigger'),
    maxBytesPerTrigger: bytes(get('maxBytesPerTrigger')),
    latestFirst: bool(option(spec, 'latestFirst'), false, 'latestFirst'),
    maxFileAgeMs: maxFileAge === undefined ? (cloud ? undefined : WEEK_MS) : parseDurationMs(maxFileAge, 'maxFileAge'),
    glob: option(spec, 'pathGlobFilter') === undefined ? undefined : globToRegExp(option(spec, 'pathGlobFilter')!),
    recursiveFileLookup: bool(option(spec, 'recursiveFileLookup'), false, 'recursiveFileLookup'),
    cleanSource,
    sourceArchiveDir: archive === undefined ? undefined : tableRootFromUri(archive),
    mode,
    corruptColumn: option(spec, 'columnNameOfCorruptRecord') ?? '_corrupt_record',
    csvHeader: bool(option(spec, 'header'), false, 'header'),
    includeExistingFiles: bool(option(spec, 'cloudFiles.includeExistingFiles'), true, 'cloudFiles.includeExistingFiles'),
    allowOverwrites: bool(option(spec, 'cloudFiles.allowOverwrites'), false, 'cloudFiles.allowOverwrites'),
    useNotifications: bool(option(spec, 'cloudFiles.useNotifications'), false, 'cloudFiles.useNotifications'),
    backfillIntervalMs: backfill === undefined ? DEFAULT_BACKFILL_MS : parseDurationMs(backfill, 'cloudFiles.backfillInterval'),
  };
}

function bad(name: string, value: string, accepted: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `Option ${name} is '${value}'; it accepts ${accepted}.`, { details: { option: name } });
}

export function bool(text: string | undefined, fallback: boolean, name: string): boolean {
  if (text === undefined) return fallback;
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw bad(name, text, 'true or false');
}

function positive(text: string | undefined, fallback: number | undefined, name: string): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw bad(name, text, 'a positive integer');
  return n;
}

/** A byte size: `1048576`, `10k`, `10m`, `1g` (Databricks' byte strings). */
function bytes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+)\s*([kmgt]?)b?\s*$/i.exec(text);
  if (m === null || Number(m[1]) < 1) throw bad('maxBytesPerTrigger', text, "a positive byte size such as 1048576, '512k', '10m' or '1g'");
  return Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
}
