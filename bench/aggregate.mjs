// Batch GROUP BY throughput: deltakit's `read.format('delta').load(scanTable).groupBy('category')
// .agg(count('*'), sum('value'), avg('value'))` (from the built @deltakit/streaming) over the
// 10M-row scan table (bench/generate-scan-table.mjs), next to DuckDB's
// `SELECT category, count(*), sum(value), avg(value) FROM read_parquet([...]) GROUP BY category`
// over the same files with 1 and 2 threads. Each variant runs in its own process (so peak RSS is
// its own): one untimed warm-up, then --runs timed runs; the median is reported with rows/s and
// peak RSS (`resourceUsage().maxRSS`). The groups of both engines are compared (counts exactly,
// sums and averages within 1e-9 relative).
//
// Usage: node bench/aggregate.mjs [--table DIR] [--runs 3]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fmtMB, fmtRate, median, printTable, runChild } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const TABLE = opt('table', fileURLToPath(new URL('./out/scan-table', import.meta.url)));
const RUNS = Number(opt('runs', 3));
const CHILD = opt('child', undefined);
const log = (m) => process.stderr.write(`${m}\n`);

async function runDeltakit() {
  const { read, count, sum, avg } = await import('../packages/streaming/dist/index.js');
  return async () => {
    const rows = await read.format('delta').load(TABLE).groupBy('category').agg(count('*').alias('n'), sum('value').alias('s'), avg('value').alias('a')).collect();
    return rows.map((r) => ({ category: r.category, n: Number(r.n), s: r.s, a: r.a }));
  };
}

/** The same query as SQL text through `sql()` (parser → planner → the same operators; the scan gets the columns). */
async function runDeltakitSql() {
  const { sql } = await import('../packages/streaming/dist/index.js');
  return async () => {
    const rows = await sql(`SELECT category, count(*) AS n, sum(value) AS s, avg(value) AS a FROM delta.\`${TABLE}\` GROUP BY category`).collect();
    return rows.map((r) => ({ category: r.category, n: Number(r.n), s: r.s, a: r.a }));
  };
}

async function runDuck(threads) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const conn = await (await DuckDBInstance.create(':memory:', { threads: String(threads) })).connect();
  const files = readdirSync(TABLE).filter((f) => f.endsWith('.parquet')).map((f) => `'${join(TABLE, f)}'`);
  return async () => {
    const reader = await conn.runAndReadAll(`SELECT category, count(*) n, sum(value) s, avg(value) a FROM read_parquet([${files.join(', ')}]) GROUP BY category`);
    return reader.getRowObjectsJS().map((r) => ({ category: r.category, n: Number(r.n), s: r.s, a: r.a }));
  };
}

if (CHILD !== undefined) {
  const run = CHILD === 'deltakit' ? await runDeltakit() : CHILD === 'deltakit-sql' ? await runDeltakitSql() : await runDuck(Number(CHILD.split('-')[1]));
  let groups = await run();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    groups = await run();
    times.push(performance.now() - t0);
  }
  groups.sort((a, b) => (a.category < b.category ? -1 : 1));
  console.log(JSON.stringify({ times, groups, maxRSS: process.resourceUsage().maxRSS * 1024 }));
} else {
  if (!existsSync(join(TABLE, '_delta_log'))) {
    log('generating the scan table ...');
    execFileSync(process.execPath, [fileURLToPath(new URL('./generate-scan-table.mjs', import.meta.url)), '--out', TABLE], { stdio: 'inherit' });
  }
  const ROWS = 10_000_000;
  const results = {};
  for (const v of ['deltakit', 'deltakit-sql', 'duckdb-1', 'duckdb-2']) {
    log(`running ${v} ...`);
    results[v] = runChild(fileURLToPath(import.meta.url), ['--child', v, '--table', TABLE, '--runs', String(RUNS)], { timeoutMs: 600_000 });
  }
  const table = [['variant', 'median', 'rows/s', 'peak RSS', 'groups']];
  for (const [v, r] of Object.entries(results)) {
    if (r.error) table.push([v, 'unavailable: ' + r.error, '', '', '']);
    else table.push([v, `${(median(r.times) / 1000).toFixed(2)} s`, fmtRate(ROWS / (median(r.times) / 1000)), fmtMB(r.maxRSS), String(r.groups.length)]);
  }
  printTable(table);
  const a = results.deltakit.groups;
  const b = results['duckdb-2'].groups ?? results['duckdb-1'].groups;
  if (a && b) {
    const close = (x, y) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
    const same = a.length === b.length && a.every((g, i) => g.category === b[i].category && g.n === b[i].n && close(g.s, b[i].s) && close(g.a, b[i].a));
    console.log(same ? 'results: deltakit and DuckDB agree on every group' : 'results: MISMATCH between deltakit and DuckDB');
    const ratio = median(results['duckdb-2'].times) / median(results.deltakit.times);
    console.log(`deltakit / duckdb-2 throughput: ${ratio.toFixed(2)}x`);
  }
}
