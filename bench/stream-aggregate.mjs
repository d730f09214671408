// Stateful streaming throughput and memory, from the built @deltakit/streaming (build first).
//
// Events come from a generator source registered for the bench (`readStream.format('bench-events')`):
// `--rows` events in micro-batches of `--batch` rows, each an Arrow batch built from typed arrays
// (`key long = (i * 7919) mod keys`, `amount double = (i mod 1000) / 2`), so the source costs next
// to nothing and every key gets the same number of events. Trigger.AvailableNow runs them all.
//
// Variants, each in its own process (peak RSS is its own):
// - `agg`: `groupBy('key').agg(count('*'), sum('amount'))`, update mode, memory state store, over
//   10M events with 100k keys (`--keys`), into foreachBatch (the engine materializes every batch's
//   updated groups; the bench's foreachBatch collects them as JS rows, reported as "of which
//   sink"); rows/s end to end, per-batch state commit time from the progress.
// - `duckdb-1`, `duckdb-2`: the same 10M rows materialized in a DuckDB temp table (untimed), then
//   `SELECT key, count(*), sum(amount) FROM t GROUP BY key` with 1 / 2 threads, timed.
// - `dedup-lmdb`, `dedup-memory`: `dropDuplicates(['key'])` over 10M events with 1M keys
//   (`--dedup-keys`), no watermark, so the state ends with 1M keys. Keys grow: batch b draws its
//   events from the first (b+1)/10 of the key space, so each batch adds 100k new keys (and 900k
//   duplicates). The sink only counts rows. Peak RSS and peak anonymous RSS (`RssAnon`: heap and
//   malloc, without LMDB's file-backed pages), sampled after each batch.
// Results are checked: the streaming totals equal DuckDB's, and the dedup emits exactly one row per key.
//
// Usage: node bench/stream-aggregate.mjs [--rows 10000000] [--keys 100000] [--dedup-keys 1000000]
//        [--batch 1000000] [--only agg|duckdb|dedup]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fmtMB, fmtRate, printTable, runChild } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const ROWS = Number(opt('rows', 10_000_000));
const KEYS = Number(opt('keys', 100_000));
const DEDUP_KEYS = Number(opt('dedup-keys', 1_000_000));
const BATCH = Number(opt('batch', 1_000_000));
const CHILD = opt('child', undefined);
const log = (m) => process.stderr.write(`${m}\n`);

const anonRss = () => {
  const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};

/** Registers `bench-events`: `rows` events in batches of `batch`, keys `(i * 7919) mod keys`. */
async function registerEvents(streaming, core) {
  const { makeData, RecordBatch, Struct } = await import('apache-arrow');
  const schema = core.parseDdlSchema('key LONG, amount DOUBLE');
  const arrow = core.deltaToArrowSchema(schema);
  const make = (rows, keys, batch, index, growing) => {
    const start = index * batch;
    const n = Math.min(batch, rows - start);
    const key = new BigInt64Array(n);
    const amount = new Float64Array(n);
    // Growing: batch b draws from the first (b + 1) / batches of the key space, so each batch brings new keys.
    const space = growing ? Math.min(keys, Math.ceil((keys * (index + 1)) / Math.ceil(rows / batch))) : keys;
    for (let r = 0; r < n; r++) {
      const i = start + r;
      key[r] = BigInt((i * 7919) % space);
      amount[r] = (i % 1000) / 2;
    }
    const children = [makeData({ type: arrow.fields[0].type, length: n, nullCount: 0, data: key }), makeData({ type: arrow.fields[1].type, length: n, nullCount: 0, data: amount })];
    return new RecordBatch(arrow, makeData({ type: new Struct(arrow.fields), length: n, nullCount: 0, children }));
  };
  streaming.registerSource({
    formats: ['bench-events'],
    async resolve(spec) {
      const rows = Number(spec.options.rows);
      const keys = Number(spec.options.keys);
      const batch = Number(spec.options.batch);
      const growing = spec.options.growing === 'true';
      const last = Math.ceil(rows / batch) - 1;
      return {
        kind: 'bench-events',
        schema,
        hidden: [],
        openStream: async () => ({
          description: `BenchEvents[${rows}]`,
          // One generated batch per micro-batch.
          async latestOffset(start) {
            const next = start === undefined ? 0 : start + 1;
            return next > last ? start : next;
          },
          async *getBatch(start, end) {
            for (let i = start === undefined ? 0 : start + 1; i <= end; i++) yield make(rows, keys, batch, i, growing);
          },
          async commit() {},
          serialize: (o) => String(o),
          deserialize: (s) => Number(s),
          sameOffset: (a, b) => a === b,
          async stop() {},
        }),
      };
    },
  });
}

async function streamingChild(variant) {
  const streaming = await import('../packages/streaming/dist/index.js');
  const core = await import('../packages/delta-core/dist/index.js');
  await registerEvents(streaming, core);
  const dedup = variant.startsWith('dedup');
  const keys = dedup ? DEDUP_KEYS : KEYS;
  const provider = variant === 'dedup-lmdb' ? 'lmdb' : 'memory';
  const dir = mkdtempSync(join(tmpdir(), 'deltakit-bench-stream-agg-'));
  const events = streaming.readStream.format('bench-events').option('rows', ROWS).option('keys', keys).option('batch', BATCH).option('growing', dedup).load();
  const df = dedup ? events.dropDuplicates(['key']) : events.groupBy('key').agg(streaming.count('*').alias('n'), streaming.sum('amount').alias('s'));
  let outRows = 0;
  let checkN = 0n;
  let checkS = 0;
  const latest = new Map();
  let peakAnon = anonRss();
  const t0 = performance.now();
  const q = await df.writeStream
    .outputMode(dedup ? 'append' : 'update')
    .option('checkpointLocation', join(dir, 'chk'))
    .option('spark.sql.streaming.stateStore.providerClass', provider)
    .trigger({ availableNow: true })
    .foreachBatch(async (batch) => {
      if (dedup) outRows += await batch.count();
      else {
        const rows = await batch.collect();
        outRows += rows.length;
        for (const r of rows) latest.set(r.key, r);
      }
      peakAnon = Math.max(peakAnon, anonRss());
    })
    .start();
  await q.awaitTermination();
  const wallMs = performance.now() - t0;
  if (q.exception()) throw q.exception();
  if (!dedup) {
    for (const r of latest.values()) {
      checkN += r.n;
      checkS += r.s;
    }
  }
  const progress = q.recentProgress;
  const ops = progress.map((p) => p.stateOperators[0]);
  const result = {
    variant,
    wallMs,
    outRows,
    batches: progress.length,
    numRowsTotal: ops.at(-1)?.numRowsTotal,
    commitMs: ops.map((o) => o.commitTimeMs),
    batchMs: progress.map((p) => p.batchDuration),
    sinkMs: progress.map((p) => p.durationMs.addBatch ?? 0),
    checkN: String(checkN),
    checkS,
    maxRSS: process.resourceUsage().maxRSS * 1024,
    peakAnon,
  };
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(result));
}

async function duckChild(threads) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const conn = await (await DuckDBInstance.create(':memory:', { threads: String(threads) })).connect();
  await conn.run(`CREATE TEMP TABLE t AS SELECT CAST((i * 7919) % ${KEYS} AS BIGINT) AS key, (i % 1000) / 2.0 AS amount FROM range(${ROWS}) r(i)`);
  const times = [];
  let groups = [];
  for (let run = 0; run < 4; run++) {
    const t0 = performance.now();
    groups = (await conn.runAndReadAll('SELECT key, count(*) n, sum(amount) s FROM t GROUP BY key')).getRowObjectsJS();
    if (run > 0) times.push(performance.now() - t0);
  }
  let checkN = 0n;
  let checkS = 0;
  for (const g of groups) {
    checkN += BigInt(g.n);
    checkS += Number(g.s);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ variant: `duckdb-${threads}`, wallMs: times[1], outRows: groups.length, checkN: String(checkN), checkS, maxRSS: process.resourceUsage().maxRSS * 1024 }));
}

if (CHILD !== undefined) {
  if (CHILD.startsWith('duckdb')) await duckChild(Number(CHILD.split('-')[1]));
  else await streamingChild(CHILD);
} else {
  const only = opt('only', undefined);
  const variants = ['agg', 'duckdb-1', 'duckdb-2', 'dedup-lmdb', 'dedup-memory'].filter((v) => only === undefined || v.startsWith(only));
  const results = {};
  for (const v of variants) {
    log(`running ${v} ...`);
    results[v] = runChild(SELF, ['--child', v, '--rows', String(ROWS), '--keys', String(KEYS), '--dedup-keys', String(DEDUP_KEYS), '--batch', String(BATCH)], { timeoutMs: 1_200_000 });
  }
  const avg = (xs) => (xs && xs.length ? `${Math.round(xs.reduce((a, b) => a + b, 0) / xs.length)} ms` : '');
  const table = [['variant', 'keys', 'wall', 'rows/s', 'batches', 'mean batch', 'of which sink', 'mean state commit', 'state keys', 'output rows', 'peak RSS', 'peak anon RSS']];
  for (const [v, r] of Object.entries(results)) {
    if (r.error) {
      table.push([v, 'unavailable: ' + r.error, '', '', '', '', '', '', '', '', '', '']);
      continue;
    }
    const keys = v.startsWith('dedup') ? DEDUP_KEYS : KEYS;
    table.push([v, keys.toLocaleString(), `${(r.wallMs / 1000).toFixed(2)} s`, fmtRate(ROWS / (r.wallMs / 1000)), String(r.batches ?? ''), avg(r.batchMs), avg(r.sinkMs), avg(r.commitMs), r.numRowsTotal?.toLocaleString() ?? '', r.outRows.toLocaleString(), fmtMB(r.maxRSS), r.peakAnon ? fmtMB(r.peakAnon) : '']);
  }
  console.log(`Stateful streaming: ${ROWS.toLocaleString()} events in micro-batches of ${BATCH.toLocaleString()}\n`);
  printTable(table);
  const agg = results.agg;
  const duck = results['duckdb-2'] ?? results['duckdb-1'];
  if (agg && !agg.error && duck && !duck.error) {
    const same = agg.checkN === duck.checkN && Math.abs(agg.checkS - duck.checkS) <= 1e-9 * Math.abs(duck.checkS);
    console.log(same ? `results: the streaming aggregation and DuckDB agree (count ${agg.checkN}, sum ${agg.checkS})` : `results: MISMATCH (streaming ${agg.checkN}/${agg.checkS}, DuckDB ${duck.checkN}/${duck.checkS})`);
    console.log(`streaming / duckdb-${results['duckdb-2'] ? 2 : 1} GROUP BY throughput: ${(duck.wallMs / agg.wallMs).toFixed(3)}x`);
  }
  for (const v of ['dedup-lmdb', 'dedup-memory']) {
    const r = results[v];
    if (r && !r.error) console.log(`${v}: ${r.outRows === DEDUP_KEYS ? 'one row per key' : `MISMATCH: ${r.outRows} rows for ${DEDUP_KEYS} keys`}; state commit ms per batch [${r.commitMs.map(Math.round).join(', ')}]`);
  }
}
