/** Running the built CLI (`dist/bin.js`) as a child process, for the end-to-end tests. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
/** The single line a failing command writes to stderr; group 1 is the error code. */
export const ERROR_LINE = /^deltakit: ([A-Z_]+): [^\n]+\n$/;

/** Throws unless the CLI is built (the e2e tests run `dist/bin.js`). */
export function requireBuiltCli(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build the CLI first (npx tsc -p tsconfig.build.json in packages/cli)`);
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args`; a non-zero exit is a result, not an exception. */
export async function cli(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { maxBuffer: 256 << 20, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** Runs the CLI and requires success with a silent stderr. */
export async function ok(...args: string[]): Promise<string> {
  const r = await cli(...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}
