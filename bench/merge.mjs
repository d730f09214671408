// MERGE throughput: a 1M-row source (500k updates of existing ids, 500k new ids) merged into the
// 10M-row scan table (see generate-scan-table.mjs; 8 files, id 0..10M-1), upsert form
// (WHEN MATCHED UPDATE SET * / WHEN NOT MATCHED INSERT *), next to DuckDB's MERGE INTO on the
// same data in a native DuckDB table, measured in the same run. Each variant runs in its own
// process on a fresh copy of the table (copy and source generation untimed), `--runs` times.
//
// Variants: deltakit with deletion vectors (updated rows marked in DVs, new rows written), deltakit
// rewriting the touched files (copy-on-write: every file holds updated ids, so all 10M rows are
// rewritten), DuckDB with 1 and 2 threads (MERGE INTO a table loaded from the same parquet files).
//
// `--source-memory` instead measures the memory a source takes per row (its Arrow data, then the
// join index built over it) for 1M and 4M rows, each in a fresh process with --expose-gc.
//
// References: `scan-id` (deltakit reading only the id column, the floor of the MERGE's scan) and
// `duckdb-2-load` (DuckDB loading the target from the same parquet files, then MERGE INTO).
//
// Usage: node bench/merge.mjs [--runs 3] [--variants dv,dv-warm,rewrite,duckdb-1,duckdb-2,duckdb-2-load,scan-id] [--source-memory]
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { fmtMB, fmtTimes, median, printTable, runChild, startMemorySampler } from './lib.mjs';
import { DEFAULT_SCAN_TABLE, generateScanTable } from './generate-scan-table.mjs';

const SELF = fileURLToPath(import.meta.url);
const OUT = fileURLToPath(new URL('./out/merge', import.meta.url));
const TARGET_ROWS = 10_000_000;
const UPDATES = 500_000;
const INSERTS = 500_000;
/** Updated ids: k * 7919 mod 10M is a permutation (7919 is prime to 10M), so 500k distinct ids spread over every file. */
const updatedId = (k) => (k * 7919) % TARGET_ROWS;
const TS = 1_735_689_600_000_000n; // 2025-01-01T00:00:00Z
const log = (msg) => process.stderr.write(`${msg}\n`);

const VARIANTS = {
  dv: { label: 'deltakit, deletion vectors on (MERGE writes DVs + 1M new rows)', kind: 'deltakit', dv: true },
  'dv-warm': { label: 'deltakit, deletion vectors on, one engine for every run (decode workers already started, as in a streaming foreachBatch)', kind: 'deltakit', dv: true, warm: true },
  rewrite: { label: 'deltakit, deletion vectors off (touched files rewritten: all 10M rows)', kind: 'deltakit', dv: false },
  'duckdb-1': { label: 'DuckDB MERGE INTO native table, 1 thread', kind: 'duckdb', threads: 1 },
  'duckdb-2': { label: 'DuckDB MERGE INTO native table, 2 threads', kind: 'duckdb', threads: 2 },
  'duckdb-2-load': { label: 'reference: DuckDB loading the target from the parquet files, then MERGE INTO, 2 threads (timed together)', kind: 'duckdb', threads: 2, load: true },
  'scan-id': { label: 'reference: deltakit scan of the id column of the 10M-row table (the floor of the MERGE scan)', kind: 'scan' },
};

/** The source as one Arrow batch: id long, value double, category string, ts timestamp(µs, UTC). */
function sourceBatch() {
  return sourceBatchOf(UPDATES + INSERTS);
}

function sourceBatchOf(n) {
  const ids = new BigInt64Array(n);
  const values = new Float64Array(n);
  const cats = [];
  const ts = new BigInt64Array(n);
  for (let k = 0; k < n; k++) {
    ids[k] = BigInt(k < UPDATES ? updatedId(k) : TARGET_ROWS + (k - UPDATES));
    values[k] = k * 0.5;
    cats.push(`src_${k % 10}`);
    ts[k] = TS + BigInt(k);
  }
  return new arrow.Table({
    id: arrow.makeVector(ids),
    value: arrow.makeVector(values),
    category: arrow.vectorFromArray(cats, new arrow.Utf8()),
    ts: arrow.makeVector({ type: new arrow.TimestampMicrosecond('UTC'), data: ts }),
  });
}

const DUCK_SOURCE = `SELECT CASE WHEN k < ${UPDATES} THEN (k * 7919) % ${TARGET_ROWS} ELSE ${TARGET_ROWS} + (k - ${UPDATES}) END::BIGINT AS id,
  k * 0.5 AS value, 'src_' || (k % 10) AS category, make_timestamptz(${TS}::BIGINT + k) AS ts FROM range(${UPDATES + INSERTS}) r(k)`;

async function child(variantId, runs) {
  const v = VARIANTS[variantId];
  const results = [];
  if (v.kind === 'duckdb') {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:', { threads: String(v.threads) });
    const c = await db.connect();
    for (let r = 0; r < runs + 1; r++) {
      await c.run('DROP TABLE IF EXISTS t');
      await c.run(`CREATE OR REPLACE TABLE s AS ${DUCK_SOURCE}`);
      const load = () => c.run(`CREATE OR REPLACE TABLE t AS SELECT * FROM read_parquet('${DEFAULT_SCAN_TABLE}/*.parquet')`);
      if (!v.load) await load();
      const mem = startMemorySampler();
      const t0 = performance.now();
      if (v.load) await load();
      await c.run('MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET value = s.value, category = s.category, ts = s.ts WHEN NOT MATCHED THEN INSERT (id, value, category, ts) VALUES (s.id, s.value, s.category, s.ts)');
      const ms = performance.now() - t0;
      const peak = mem.stop();
      const check = (await (await c.runAndReadAll(`SELECT count(*)::BIGINT AS n, count(*) FILTER (WHERE category LIKE 'src_%')::BIGINT AS changed FROM t`)).getRowObjectsJS())[0];
      if (r > 0) results.push({ ms, rss: peak.maxRSS, rows: Number(check.n), changed: Number(check.changed) });
    }
    return { results };
  }
  const { DeltaTable } = await import('../packages/merge/dist/index.js');
  const { createDefaultEngine } = await import('@deltakit/core');
  if (v.kind === 'scan') {
    const engine = createDefaultEngine();
    const table = DeltaTable.forPath(DEFAULT_SCAN_TABLE, { engine });
    for (let r = 0; r < runs + 1; r++) {
      const mem = startMemorySampler();
      const t0 = performance.now();
      let rows = 0;
      for await (const b of (await table.snapshot()).scan({ columns: ['id'] }).batches()) rows += b.numRows;
      const ms = performance.now() - t0;
      if (r > 0) results.push({ ms, rss: mem.stop().maxRSS, rows, changed: 0 });
    }
    await engine.parquet.close();
    return { results };
  }
  const source = sourceBatch();
  const shared = v.warm ? createDefaultEngine() : undefined;
  for (let r = 0; r < runs + 1; r++) {
    const dir = join(OUT, `target-${variantId}`);
    rmSync(dir, { recursive: true, force: true });
    cpSync(DEFAULT_SCAN_TABLE, dir, { recursive: true });
    const engine = shared ?? createDefaultEngine();
    const table = DeltaTable.forPath(dir, { engine });
    if (v.dv) await table.setProperties({ 'delta.enableDeletionVectors': 'true' });
    const mem = startMemorySampler();
    const t0 = performance.now();
    const m = await table.alias('t').merge(source, 't.id = s.id', { sourceAlias: 's' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
    const ms = performance.now() - t0;
    const peak = mem.stop();
    let rows = 0;
    for await (const b of (await table.snapshot()).scan({ columns: ['id'] }).batches()) rows += b.numRows;
    if (!shared) await engine.parquet.close();
    if (r > 0) results.push({ ms, rss: peak.maxRSS, rows, changed: m.numTargetRowsUpdated + m.numTargetRowsInserted, metrics: m });
  }
  await shared?.parquet.close();
  rmSync(join(OUT, `target-${variantId}`), { recursive: true, force: true });
  return { results };
}

/** Memory per source row: Arrow data as held, and the join index (planner + matcher over the source). */
async function sourceMemory(n) {
  const { loadSource } = await import('../packages/merge/dist/merge/source.js');
  const { planMerge } = await import('../packages/merge/dist/merge/plan.js');
  const { MergeMatcher } = await import('../packages/merge/dist/merge/match.js');
  const table = sourceBatchOf(n);
  const used = () => {
    globalThis.gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers + m.external;
  };
  const m0 = used();
  const src = await loadSource(table, { maxSourceBytes: Number.MAX_SAFE_INTEGER });
  const m1 = used();
  const plan = planMerge({
    targetSchema: src.schema, partitionColumns: [], columnMappingMode: 'none', targetAlias: 't', sourceSchema: src.schema, sourceAlias: 's', condition: 't.id = s.id',
    clauses: { matched: [{ kind: 'updateAll' }], notMatched: [{ kind: 'insertAll' }], notMatchedBySource: [] }, schemaEvolution: false, timeZone: 'UTC', nowMicros: 0n,
  });
  const matcher = new MergeMatcher(plan, src, { timeZone: 'UTC', nowMicros: 0n, changeData: false });
  const m2 = used();
  return { rows: n, arrowBytesPerRow: src.bytes / n, heldPerRow: Math.max(0, m1 - m0) / n, joinPerRow: (m2 - m1) / n, indexBytesPerRow: matcher.indexBytes / n };
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--source-memory-child') {
    process.stdout.write(`${JSON.stringify(await sourceMemory(Number(args[1])))}\n`);
    return;
  }
  if (args.includes('--source-memory')) {
    const rows = [['source rows', 'Arrow bytes/row', 'held bytes/row', 'join index bytes/row (measured)', 'of which hash index']];
    for (const n of [1_000_000, 4_000_000]) {
      const r = runChild(SELF, ['--source-memory-child', String(n)], { nodeArgs: ['--expose-gc'] });
      if (r.error) rows.push([String(n), r.error, '', '', '']);
      else rows.push([String(n), r.arrowBytesPerRow.toFixed(1), r.heldPerRow.toFixed(1), r.joinPerRow.toFixed(1), r.indexBytesPerRow.toFixed(1)]);
    }
    printTable(rows);
    return;
  }
  const opt = (name, d) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : d;
  };
  if (args[0] === '--child') {
    const out = await child(args[1], Number(args[2]));
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const runs = Number(opt('runs', '3'));
  const variants = opt('variants', Object.keys(VARIANTS).join(',')).split(',');
  generateScanTable({ dir: DEFAULT_SCAN_TABLE, rows: TARGET_ROWS, files: 8, log });
  log(`MERGE 1M-row source (${UPDATES} updates, ${INSERTS} inserts) into the 10M-row table, ${runs} timed run(s) per variant after one warm-up`);
  const rows = [['variant', 'median [min-max]', 'peak RSS', 'rows after', 'changed', 'where the time goes (median run)']];
  const times = {};
  for (const id of variants) {
    log(`  ${id}: ${VARIANTS[id].label}`);
    const res = runChild(SELF, ['--child', id, String(runs)], { timeoutMs: 900_000, nodeArgs: ['--max-old-space-size=8192'] });
    if (res.error) {
      rows.push([id, `error: ${res.error}`, '', '', '', '']);
      continue;
    }
    const ms = res.results.map((r) => r.ms);
    times[id] = median(ms);
    const mid = res.results.slice().sort((a, b) => a.ms - b.ms)[res.results.length >> 1];
    const m = mid.metrics;
    const where = m ? `source ${m.materializeSourceTimeMs} ms, scan+join+write new rows ${m.scanTimeMs} ms, finish (DVs/copies/files) ${m.rewriteTimeMs} ms, commit ${Math.round(mid.ms - m.executionTimeMs)}+ ms` : '';
    rows.push([id, fmtTimes(ms), fmtMB(Math.max(...res.results.map((r) => r.rss))), String(mid.rows), String(mid.changed), where]);
  }
  printTable(rows);
  const duck = Math.min(times['duckdb-1'] ?? Infinity, times['duckdb-2'] ?? Infinity);
  for (const id of ['dv', 'dv-warm', 'rewrite']) if (times[id] !== undefined && Number.isFinite(duck)) log(`${id}: ${(times[id] / duck).toFixed(2)}x DuckDB's best MERGE INTO`);
  if (times['dv'] !== undefined && times['duckdb-2-load'] !== undefined) log(`dv: ${(times['dv'] / times['duckdb-2-load']).toFixed(2)}x DuckDB loading the parquet files + MERGE INTO`);
}

await main();
