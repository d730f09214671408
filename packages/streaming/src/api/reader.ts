/**
 * `read` and `readStream`: immutable builders of a source spec (format, options, schema) ending
 * in `load(path?)`, as PySpark's DataFrameReader / DataStreamReader. Nothing is read until the
 * DataFrame is analyzed.
 */
import { DeltaError, parseSchemaArgument, type StructType } from '@deltakit/core';
import { leaf, type SourceSpec } from '../plan/logical.js';
import { memoryTable } from '../sinks/memory-sink.js';
import { DataFrame } from './dataframe.js';
import { getDefaultSession, type Session } from './session.js';

type OptionValue = string | number | boolean | bigint;

abstract class ReaderBase<Self extends ReaderBase<Self>> {
  constructor(
    protected readonly spec: Omit<SourceSpec, 'path'>,
    protected readonly sessionOrDefault: Session | undefined,
  ) {}

  protected abstract copy(spec: Omit<SourceSpec, 'path'>): Self;

  abstract load(path?: string): DataFrame;

  json(path: string): DataFrame {
    return this.format('json').load(path);
  }
  csv(path: string): DataFrame {
    return this.format('csv').load(path);
  }
  parquet(path: string): DataFrame {
    return this.format('parquet').load(path);
  }
  delta(path: string): DataFrame {
    return this.format('delta').load(path);
  }

  protected get session(): Session {
    return this.sessionOrDefault ?? getDefaultSession();
  }

  format(source: string): Self {
    return this.copy({ ...this.spec, format: source });
  }

  option(key: string, value: OptionValue): Self {
    return this.copy({ ...this.spec, options: { ...this.spec.options, [key]: String(value) } });
  }

  options(options: Readonly<Record<string, OptionValue>>): Self {
    const merged: Record<string, string> = { ...this.spec.options };
    for (const [k, v] of Object.entries(options)) merged[k] = String(v);
    return this.copy({ ...this.spec, options: merged });
  }

  /** The schema of the data: DDL text (`'id BIGINT, name STRING'`), Delta schema JSON, or a StructType. */
  schema(schema: string | StructType): Self {
    return this.copy({ ...this.spec, schema: typeof schema === 'string' ? parseSchemaArgument(schema) : schema });
  }
}

export class DataFrameReader extends ReaderBase<DataFrameReader> {
  protected copy(spec: Omit<SourceSpec, 'path'>): DataFrameReader {
    return new DataFrameReader(spec, this.sessionOrDefault);
  }

  load(path?: string): DataFrame {
    return new DataFrame(leaf({ ...this.spec, ...(path === undefined ? {} : { path }) }, false), this.session);
  }


  /** A memory sink's table by its query name (Spark's `spark.table(queryName)`). */
  table(name: string): DataFrame {
    return memoryTable(name, this.session);
  }
}

export class DataStreamReader extends ReaderBase<DataStreamReader> {
  protected copy(spec: Omit<SourceSpec, 'path'>): DataStreamReader {
    return new DataStreamReader(spec, this.sessionOrDefault);
  }

  load(path?: string): DataFrame {
    if (this.spec.format === '') throw new DeltaError('INVALID_ARGUMENT', "readStream needs a format: readStream.format('delta' | 'cloudFiles' | 'json' | ...).load(path).");
    return new DataFrame(leaf({ ...this.spec, ...(path === undefined ? {} : { path }) }, true), this.session);
  }

  text(path: string): DataFrame {
    return this.format('text').load(path);
  }
}

/** Readers bound to a session (the module's `read`/`readStream` use the default session). */
export function readerFor(session?: Session): { read: DataFrameReader; readStream: DataStreamReader } {
  return {
    read: new DataFrameReader({ format: 'delta', options: {} }, session),
    readStream: new DataStreamReader({ format: '', options: {} }, session),
  };
}
