// DELETE of about 1% of the rows of the 10M-row scan table (8 files; `value < 10`, spread over
// every file), with deletion vectors and with file rewrites, next to references measured in the
// same run: DuckDB's DELETE on the same rows loaded from the same parquet files, and a plain full
// scan of the table with deltakit.
//
// Usage: node bench/dml-delete.mjs [--table DIR] [--runs 3]
// Each run of a variant works on a fresh copy of the table, in its own process (peak RSS is the
// process's). Needs `npm run -s setup` (the benches import the built packages).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SCAN_TABLE, existingTable, generateScanTable } from './generate-scan-table.mjs';
import { fmtMB, fmtRate, fmtTimes, median, printTable, runChild } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const MERGE = fileURLToPath(new URL('../packages/merge/dist/index.js', import.meta.url));
const CONDITION = 'value < 10';

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1], args[2]);
else await main();

async function main() {
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const table = opt('--table', DEFAULT_SCAN_TABLE);
  const runs = Number(opt('--runs', '3'));
  if (!existingTable(table)) generateScanTable({ dir: table });
  const { rows, files } = existingTable(table);
  console.log(`DELETE WHERE ${CONDITION} on ${rows.toLocaleString()} rows in ${files.length} files, ${runs} runs per variant, each on a fresh copy\n`);
  const variants = ['deltakit-dv', 'deltakit-rewrite', 'duckdb-delete', 'deltakit-scan'];
  const results = Object.fromEntries(variants.map((v) => [v, []]));
  for (let r = 0; r < runs; r++) {
    for (const v of variants) {
      const dir = mkdtempSync(join(tmpdir(), 'dml-bench-'));
      try {
        cpSync(table, dir, { recursive: true });
        const res = runChild(SELF, ['--child', v, dir], { timeoutMs: 600_000 });
        if (res.error) console.error(`${v}: ${res.error}`);
        else results[v].push(res);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const out = [['variant', 'time (median [min–max])', 'rows/s (table rows)', 'deleted rows', 'peak RSS', 'notes']];
  for (const v of variants) {
    const rs = results[v];
    if (rs.length === 0) {
      out.push([v, 'failed']);
      continue;
    }
    const ms = rs.map((x) => x.ms);
    out.push([v, fmtTimes(ms), fmtRate(rows / (median(ms) / 1000)), rs[0].deleted?.toLocaleString() ?? '', fmtMB(Math.max(...rs.map((x) => x.maxRSS))), rs[0].note ?? '']);
  }
  printTable(out);
  const counts = new Set(variants.filter((v) => v !== 'deltakit-scan').map((v) => results[v][0]?.deleted));
  if (counts.size !== 1) console.log('\nWARNING: the variants deleted different row counts');
}

async function child(variant, dir) {
  const t0 = performance.now();
  let result;
  if (variant === 'duckdb-delete') {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const conn = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
    const { files } = existingTable(dir);
    const list = files.map((f) => `'${f}'`).join(', ');
    const l0 = performance.now();
    await conn.run(`CREATE TABLE t AS SELECT * FROM read_parquet([${list}])`);
    const loadMs = performance.now() - l0;
    const d0 = performance.now();
    const r = await conn.runAndReadAll(`DELETE FROM t WHERE ${CONDITION}`);
    const ms = performance.now() - d0;
    result = { ms, deleted: Number(r.getRows()[0]?.[0] ?? -1), note: `in-memory table, 2 threads; loading it took ${(loadMs / 1000).toFixed(2)} s (not counted)` };
  } else {
    const { DeltaTable } = await import(MERGE);
    const { createDefaultEngine } = await import('@deltakit/core');
    const table = DeltaTable.forPath(dir, { engine: createDefaultEngine() });
    if (variant === 'deltakit-dv') await table.setProperties({ 'delta.enableDeletionVectors': 'true' });
    const s0 = performance.now();
    if (variant === 'deltakit-scan') {
      let n = 0;
      for await (const b of (await table.snapshot()).scan().batches()) n += b.numRows;
      result = { ms: performance.now() - s0, note: `full scan of every column, ${n.toLocaleString()} rows (reference)` };
    } else {
      const r = await table.delete(CONDITION);
      const ms = performance.now() - s0;
      result = { ms, deleted: r.numDeletedRows, note: `scan ${r.scanTimeMs} ms, rewrite ${r.rewriteTimeMs} ms, DVs added ${r.numDeletionVectorsAdded}, files added ${r.numAddedFiles}, copied rows ${r.numCopiedRows}` };
    }
    await table.close();
  }
  result.maxRSS = process.resourceUsage().maxRSS * 1024;
  result.totalMs = performance.now() - t0;
  console.log(JSON.stringify(result));
}
