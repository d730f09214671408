/**
 * A session: the engine (store, parquet, clock), the session time zone and the logger that
 * DataFrames and queries of it use, as a SparkSession's conf. The module-level `read`,
 * `readStream` and `memoryStream` use the default session (local files, system clock, UTC,
 * silent logging); create another to inject a clock or a store in tests.
 */
import { createDefaultEngine, type Engine } from '@deltakit/core';
import { silentLogger, type Logger } from '../util/logger.js';

export interface SessionOptions {
  readonly engine?: Engine;
  /** IANA time zone of zone-less timestamps and date functions (Spark's `spark.sql.session.timeZone`). Default UTC. */
  readonly timeZone?: string;
  /** Where the engine logs (pino's interface); silent by default. */
  readonly logger?: Logger;
}

export class Session {
  readonly #engine: Engine | undefined;
  #lazyEngine: Engine | undefined;
  readonly timeZone: string;
  readonly logger: Logger;

  constructor(options: SessionOptions = {}) {
    this.#engine = options.engine;
    this.timeZone = options.timeZone ?? 'UTC';
    this.logger = options.logger ?? silentLogger;
  }

  /** The session's engine (the default engine is created on first use). */
  get engine(): Engine {
    if (this.#engine !== undefined) return this.#engine;
    this.#lazyEngine ??= createDefaultEngine({ workers: 0 });
    return this.#lazyEngine;
  }
}

let defaultSession: Session | undefined;

export function getDefaultSession(): Session {
  defaultSession ??= new Session();
  return defaultSession;
}
