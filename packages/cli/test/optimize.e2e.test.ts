/**
 * `deltakit optimize` on tables written by `deltakit write`, read back with `cat`, `files` and
 * `history`: through the built CLI (`dist/bin.js`) once, otherwise through `main` in-process
 * (same dispatcher, faster); and the progress line's rendering.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptimizeProgressLine, optimizeProgressText, splitColumns } from '../src/commands/optimize.js';
import { main, type MainIo } from '../src/main.js';
import { ERROR_LINE, ok as okBin, requireBuiltCli } from './helpers.js';

/** Runs `main` in-process with captured output. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  let stderr = '';
  const io: MainIo = { stdout, stderr: { write: (t: string) => (stderr += t) }, stdoutIsTTY: false };
  const code = await main(argv, io);
  return { code, stdout: Buffer.concat(chunks).toString('utf8'), stderr };
}

async function ok(...argv: string[]): Promise<string> {
  const r = await cli(...argv);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

let dir: string;
let n = 0;
const fresh = (name: string): string => join(dir, `${n++}-${name}`);

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'deltakit-optimize-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A table of `appends` small files (one per `write`), rows with ids 0.. and two partitions. */
async function smallFileTable(appends: number): Promise<string> {
  const t = fresh('t');
  await ok('create', t, '--schema', 'id BIGINT, a INT, b STRING, part STRING', '--partition-by', 'part');
  for (let k = 0; k < appends; k++) {
    const input = fresh('rows.jsonl');
    writeFileSync(input, Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: k * 5 + i, a: (k * 5 + i) % 7, b: `b${i}`, part: i % 2 ? 'x' : 'y' })).join('\n') + '\n');
    await ok('write', t, '--input', input, '--mode', 'append');
  }
  return t;
}

const catLines = async (t: string) => (await ok('cat', t, '--format', 'jsonl')).split('\n').filter((l) => l !== '').sort();
const fileCount = async (t: string) => (JSON.parse(await ok('files', t, '--format', 'json')) as unknown[]).length;

describe('deltakit optimize', () => {
  it('compacts each partition into one file, prints the metrics as one JSON object, records an OPTIMIZE commit', async () => {
    const t = await smallFileTable(6);
    const rows = await catLines(t);
    expect(await fileCount(t)).toBe(12);
    const printed = await okBin('optimize', t); // the built command line
    expect(printed.trim().startsWith('{') && printed.trim().endsWith('}')).toBe(true);
    const metrics = JSON.parse(printed) as Record<string, unknown>;
    expect(metrics).toMatchObject({ numFilesAdded: 2, numFilesRemoved: 12, partitionsOptimized: 2, numBins: 2, numBatches: 1, totalConsideredFiles: 12, totalFilesSkipped: 0, version: 7, zOrderStats: null });
    expect(metrics.filesRemoved).toMatchObject({ totalFiles: 12 });
    expect(await fileCount(t)).toBe(2);
    expect(await catLines(t)).toEqual(rows);
    const history = JSON.parse(await ok('history', t, '--format', 'json', '--limit', '1')) as Array<{ version: number; operation?: string; commitInfo?: { operation: string } }>;
    expect(history[0]!.version).toBe(7);
    expect(JSON.stringify(history[0])).toContain('OPTIMIZE');
    // Nothing left to do: nothing is committed.
    expect(JSON.parse(await ok('optimize', t))).toMatchObject({ numFilesRemoved: 0, version: null });
  });

  it('--where selects partitions, --zorder-by orders data columns, --target-size takes units', async () => {
    const t = await smallFileTable(4);
    const rows = await catLines(t);
    const where = JSON.parse(await ok('optimize', t, '--where', "part = 'x'")) as Record<string, unknown>;
    expect(where).toMatchObject({ numFilesRemoved: 4, numFilesAdded: 1, totalConsideredFiles: 4 });
    const z = JSON.parse(await ok('optimize', t, '--zorder-by', 'a, b', '--target-size', '64MB')) as { zOrderStats: { numOutputCubes: number }; numFilesAdded: number };
    expect(z.zOrderStats.numOutputCubes).toBe(2);
    expect(z.numFilesAdded).toBe(2);
    expect(await catLines(t)).toEqual(rows);
    expect(JSON.parse(await ok('optimize', t, '--target-size', '100', '--zorder-by', 'a'))).toMatchObject({ numFilesRemoved: 2 });
  });

  it('refuses bad input with one error line and status 2, changing nothing', async () => {
    const t = await smallFileTable(2);
    const cases: Array<[string[], string]> = [
      [['--where', 'a > 1'], "references column 'a'"],
      [['--zorder-by', 'part'], 'partition column'],
      [['--target-size', 'ten'], '--target-size "ten" is not a byte size'],
      [['--zorder-by', ' , '], 'at least one column'],
    ];
    for (const [args, text] of cases) {
      const r = await cli('optimize', t, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(ERROR_LINE);
      expect(r.stderr).toContain(text);
    }
    const missing = await cli('optimize', t, '--zorder-by', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^deltakit: COLUMN_NOT_FOUND: /);
    expect(await fileCount(t)).toBe(4);
  });

  it('the progress line shows bins, percent of bytes and time; drawn only after half a second, erased at the end', () => {
    expect(optimizeProgressText({ phase: 'rewriting', binsTotal: 12, binsDone: 3, filesTotal: 40, filesDone: 10, bytesTotal: 300 * 1048576, bytesDone: 120 * 1048576 }, 7_000)).toBe('optimize  rewriting  3/12 bins  40%  120.0 MB  0:07');
    const writes: string[] = [];
    let now = 0;
    const line = new OptimizeProgressLine({ write: (s: string) => writes.push(s), isTTY: true, columns: 80 }, () => now);
    const p = { phase: 'rewriting' as const, binsTotal: 2, binsDone: 1, filesTotal: 4, filesDone: 2, bytesTotal: 100, bytesDone: 50 };
    line.update(p);
    now = 600;
    line.update(p);
    now = 700;
    line.update(p); // within 250 ms of the last draw
    line.finish();
    expect(writes).toEqual(['\roptimize  rewriting  1/2 bins  50%  0.0 MB  0:00\x1b[K', '\r\x1b[K']);
    expect(splitColumns('a, `b,c` ,d')).toEqual(['a', '`b,c`', 'd']);
  });
});
