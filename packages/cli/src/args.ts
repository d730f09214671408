/** Argument parsing shared by the commands, on `node:util` `parseArgs`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolve } from 'node:path';
import { DeltaError } from '@deltakit/core';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed arguments; `help` is set when `--help`/`-h` was given (nothing else is validated then). */
export interface ParsedArgs {
  help: boolean;
  positionals: string[];
  /** Option values; `string[]` for options declared `multiple: true`. */
  values: Record<string, string | boolean | string[] | undefined>;
}

/** A usage error: exit status 2 and an `INVALID_ARGUMENT` line naming the command's help. */
export function usageError(command: string, problem: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `${problem}. Run 'deltakit ${command} --help' for usage.`);
}

/** Parses `argv` strictly against `options` (plus `--help`). */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionSpec): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs messages are one sentence naming the bad option; keep it, minus its own hint.
    const text = e instanceof Error ? e.message.replace(/\s*To specify a positional argument.*$/s, '').replace(/\.$/, '') : String(e);
    throw usageError(command, text);
  }
  const { help, ...values } = parsed.values as ParsedArgs['values'];
  return { help: help === true, positionals: parsed.positionals, values };
}

/** The single `<table>` positional, as an absolute path or the URI as given. */
export function tableArg(command: string, positionals: readonly string[]): string {
  if (positionals.length === 0) throw usageError(command, 'Missing the <table> argument (a Delta table directory or URI)');
  if (positionals.length > 1) throw usageError(command, `Expected one <table> argument, got ${positionals.length}: ${positionals.join(' ')}`);
  const table = positionals[0] as string;
  // A URI (scheme followed by ':', longer than a drive letter) passes through unchanged.
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(table) ? table : resolve(table);
}

/** A non-negative integer option (versions, limits), or undefined when absent. */
export function integerOption(command: string, values: ParsedArgs['values'], name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw usageError(command, `--${name} must be a non-negative integer, got '${String(raw)}'`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw usageError(command, `--${name} ${raw} is beyond the largest supported integer (2^53 - 1)`);
  return n;
}

/** A string option, or undefined when absent. */
export function stringOption(values: ParsedArgs['values'], name: string): string | undefined {
  const raw = values[name];
  return typeof raw === 'string' ? raw : undefined;
}

/** One of `choices`, `fallback` when absent. */
export function choiceOption<T extends string>(command: string, values: ParsedArgs['values'], name: string, choices: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) throw usageError(command, `--${name} must be one of ${choices.join(', ')}, got '${String(raw)}'`);
  return raw as T;
}

/** The `--version`/`--timestamp` pair that selects a snapshot; at most one may be given. */
export function snapshotSelection(command: string, values: ParsedArgs['values']): { version?: number; timestamp?: string } {
  const version = integerOption(command, values, 'version');
  const timestamp = stringOption(values, 'timestamp');
  if (version !== undefined && timestamp !== undefined) throw usageError(command, '--version and --timestamp select the snapshot in two ways; give only one');
  const selection: { version?: number; timestamp?: string } = {};
  if (version !== undefined) selection.version = version;
  if (timestamp !== undefined) selection.timestamp = timestamp;
  return selection;
}

/** Every value of a repeatable string option (declared `multiple: true`); empty when absent. */
export function stringListOption(values: ParsedArgs['values'], name: string): string[] {
  const raw = values[name];
  if (raw === undefined || typeof raw === 'boolean') return [];
  return typeof raw === 'string' ? [raw] : raw;
}

/** A comma-separated list option (`a, b ,c` → `['a', 'b', 'c']`), or undefined when absent. */
export function commaListOption(values: ParsedArgs['values'], name: string): string[] | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}
