import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const dirs: string[] = [];

/** A fresh temporary folder, removed after the test. */
export function tempDir(prefix = 'deltakit-streaming-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The files of a checkpoint log folder (`offsets`, `commits`) as batch ids. */
export function logIds(checkpoint: string, log: 'offsets' | 'commits'): number[] {
  try {
    return readdirSync(join(checkpoint, log)).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  } catch {
    return [];
  }
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

export const SHARED = join(import.meta.dirname, '../../../../shared');
