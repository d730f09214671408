/**
 * Auto Loader's own options (`cloudFiles.*`), as Databricks documents them. Unknown
 * `cloudFiles.*` keys are refused (Auto Loader's `cloudFiles.validateOptions`, on by default).
 */
import { DeltaError } from '@deltakit/core';
import { tableRootFromUri } from '@deltakit/core/internal';
import type { SourceSpec } from '../../plan/logical.js';
import { bool, fileFormat } from '../file-options.js';
import type { FileFormat } from '../file-reader.js';
import { option } from '../source.js';

export type EvolutionMode = 'addNewColumns' | 'rescue' | 'failOnNewColumns' | 'none';

export interface CloudFilesOptions {
  readonly format: FileFormat;
  readonly schemaLocation: string | undefined;
  readonly inferColumnTypes: boolean;
  readonly schemaHints: string | undefined;
  readonly evolutionMode: EvolutionMode;
  /** The rescued-data column, or undefined when rows carry none. */
  readonly rescueColumn: string | undefined;
  /** Explicit partition columns; undefined: inferred from `k=v` folders. */
  readonly partitionColumns: readonly string[] | undefined;
}

const KNOWN = new Set(
  [
    'format', 'schemaLocation', 'inferColumnTypes', 'schemaHints', 'schemaEvolutionMode', 'includeExistingFiles', 'maxFilesPerTrigger', 'maxBytesPerTrigger',
    'partitionColumns', 'allowOverwrites', 'useNotifications', 'backfillInterval', 'maxFileAge', 'validateOptions',
  ].map((k) => `cloudfiles.${k.toLowerCase()}`),
);

const MODES: readonly EvolutionMode[] = ['addNewColumns', 'rescue', 'failOnNewColumns', 'none'];

export function parseCloudFilesOptions(spec: SourceSpec): CloudFilesOptions {
  if (bool(option(spec, 'cloudFiles.validateOptions'), true, 'cloudFiles.validateOptions')) {
    for (const k of Object.keys(spec.options)) {
      if (k.toLowerCase().startsWith('cloudfiles.') && !KNOWN.has(k.toLowerCase())) {
        throw new DeltaError('INVALID_ARGUMENT', `Unknown Auto Loader option '${k}'. Known cloudFiles options: ${[...KNOWN].join(', ')}. Check the spelling, or set cloudFiles.validateOptions to false.`, { details: { option: k } });
      }
    }
  }
  const formatText = option(spec, 'cloudFiles.format');
  if (formatText === undefined) throw new DeltaError('INVALID_ARGUMENT', "Auto Loader needs the files' format: option('cloudFiles.format', 'json' | 'csv' | 'parquet' | 'text').", { details: { option: 'cloudFiles.format' } });
  const format = fileFormat(formatText, 'cloudFiles.format');
  const location = option(spec, 'cloudFiles.schemaLocation');
  const modeText = option(spec, 'cloudFiles.schemaEvolutionMode');
  let evolutionMode: EvolutionMode = spec.schema === undefined ? 'addNewColumns' : 'none';
  if (modeText !== undefined) {
    const m = MODES.find((x) => x.toLowerCase() === modeText.toLowerCase());
    if (m === undefined) throw new DeltaError('INVALID_ARGUMENT', `cloudFiles.schemaEvolutionMode '${modeText}' is not a mode; use ${MODES.join(', ')}.`, { details: { option: 'cloudFiles.schemaEvolutionMode' } });
    evolutionMode = m;
  }
  if (spec.schema !== undefined && evolutionMode === 'addNewColumns') {
    throw new DeltaError('INVALID_ARGUMENT', "cloudFiles.schemaEvolutionMode 'addNewColumns' cannot be used with a schema given by .schema(...): Auto Loader evolves only a schema it inferred. Drop .schema(...) (use cloudFiles.schemaHints to fix types) or choose another mode.");
  }
  const rescued = option(spec, 'rescuedDataColumn');
  const rescueColumn = rescued ?? (format !== 'text' && spec.schema === undefined && evolutionMode !== 'none' ? '_rescued_data' : undefined);
  const parts = option(spec, 'cloudFiles.partitionColumns');
  return {
    format,
    schemaLocation: location === undefined ? undefined : tableRootFromUri(location),
    inferColumnTypes: bool(option(spec, 'cloudFiles.inferColumnTypes'), false, 'cloudFiles.inferColumnTypes'),
    schemaHints: option(spec, 'cloudFiles.schemaHints'),
    evolutionMode,
    rescueColumn: rescueColumn === '' ? undefined : rescueColumn,
    partitionColumns: parts === undefined ? undefined : parts.split(',').map((s) => s.trim()).filter((s) => s !== ''),
  };
}
