import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package directory and its built output, which the generator and child processes import. */
export const PKG = fileURLToPath(new URL('../..', import.meta.url));
export const DIST = join(PKG, 'dist');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    newest = Math.max(newest, ent.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than any source file. */
export function ensureBuilt(): void {
  const built = join(DIST, 'index.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(PKG, 'src'))) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: PKG, stdio: 'pipe' });
  } catch (e) {
    // tsc still emits when files elsewhere have type errors; only a missing output is fatal.
    if (!existsSync(built)) throw e;
  }
}
