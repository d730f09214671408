import { execFileSync, fork } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { field, primitive, struct } from '../../../src/schema/types.js';
import { cleanup, commitActions, tempTable } from './helpers.js';

/**
 * OPTIMIZE while another process appends in a loop (real processes on the local file system):
 * both succeed, OPTIMIZE's commit lands after appends made while it ran (retried past them, as
 * compaction never conflicts with appends), and every row is there exactly once.
 */

const PKG = fileURLToPath(new URL('../../..', import.meta.url));
const DIST = join(PKG, 'dist');
const CHILD = fileURLToPath(new URL('./append-loop.mjs', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) t = Math.max(t, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs);
  return t;
}

/** Builds dist/ when it is missing or older than the sources (the child imports the built package). */
function ensureBuilt(): void {
  const built = join(DIST, 'index.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(PKG, 'src'))) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: PKG, stdio: 'pipe' });
  } catch (e) {
    if (!existsSync(built)) throw e;
  }
}

beforeAll(() => ensureBuilt(), 180_000);
afterAll(cleanup);

const schema = struct([field('id', primitive('long'), false), field('v', primitive('integer')), field('p', primitive('string'))]);

describe('OPTIMIZE concurrent with appends from another process', () => {
  it('both succeed; nothing lost or duplicated; OPTIMIZE commits on top of the appends made meanwhile', async () => {
    const table = tempTable();
    await table.create({ schema, partitionBy: ['p'] });
    const initial = 120;
    for (let b = 0; b < initial; b++) {
      const rows = Array.from({ length: 25 }, (_, i) => ({ id: BigInt(b * 25 + i), v: i, p: `p${(b + i) % 3}` }));
      await table.write({ rows, schema }, { mode: 'append' });
    }
    const before = await table.snapshot();

    const child = fork(CHILD, [DIST, table.tableRoot, String(1_000_000)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let appended = 0;
    let finished: (n: number) => void = () => undefined;
    const done = new Promise<number>((resolve) => (finished = resolve));
    const started = new Promise<void>((resolve) => {
      child.on('message', (m: { appended: number; done?: boolean }) => {
        appended = m.appended;
        if (m.appended >= 3) resolve();
        if (m.done) finished(m.appended);
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await started;
    const atStart = appended;
    const m = await table.optimize();
    const atEnd = appended;
    child.send('stop');
    const total = await done;
    expect(await exited).toBe(0);

    expect(m.version).not.toBeNull();
    expect(atEnd).toBeGreaterThan(atStart); // the appender kept committing while OPTIMIZE ran
    const info = commitActions(table.tableRoot, m.version!).find((a) => a.kind === 'commitInfo');
    if (info?.kind !== 'commitInfo') throw new Error('no commitInfo');
    const readVersion = info.commitInfo.readVersion!;
    // OPTIMIZE read one version and committed several later: it was retried past the appends.
    expect(m.version! - readVersion).toBeGreaterThan(1);
    const read = await table.snapshot({ version: readVersion });
    expect(read.addFiles.length).toBeGreaterThanOrEqual(before.addFiles.length);
    expect(m.numFilesRemoved).toBe(read.addFiles.length);

    const snap = await table.snapshot();
    const ids = Array.from((await snap.scan({ columns: ['id'] }).toTable()).getChild('id')!.toArray() as BigInt64Array, Number).sort((a, b) => a - b);
    const expected = [...Array.from({ length: initial * 25 }, (_, i) => i), ...Array.from({ length: total * 10 }, (_, i) => 1_000_000 + i)];
    expect(ids.length).toBe(expected.length);
    expect(ids).toEqual(expected);
    // Files appended after OPTIMIZE's read version are all live (it removed only files it read):
    // every later version but OPTIMIZE's is one append of one file per partition.
    expect(snap.addFiles.length).toBe(3 + 3 * (snap.version - readVersion - 1));
    console.log(`[optimize-concurrency] ${read.addFiles.length} files compacted to 3 while ${atEnd - atStart} appends committed; OPTIMIZE read v${info.commitInfo.readVersion}, committed v${m.version}; ${total} appends in all`);
  }, 180_000);
});
