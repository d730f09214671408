/**
 * The logger the engine writes to: pino's method shape (`logger.info(obj, msg)` or
 * `logger.info(msg)`), so a pino instance can be passed as is. Quiet by default.
 */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

const noop = (): void => undefined;

export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
