// Predicate evaluation throughput: deltakit's compiled predicates (`compilePredicate(bindPredicate(
// expr, schema)).mask(batch)`, from the built `@deltakit/core/internal`) over a 10M-row in-memory
// Arrow table in 1M-row record batches, next to DuckDB's `SELECT count(*) FROM t WHERE ...` on the
// same rows, measured in the same run.
//
// The rows are generated twice from the same integer formulas: as Arrow batches (typed arrays,
// makeData) and by DuckDB (range() + SQL). A checksum query proves both hold the same values, and
// every case prints both engines' match counts.
//
// Usage: node bench/expr-eval.mjs [--rows 10000000] [--runs 3] [--only SUBSTRING] [--no-duckdb]
// (--only and --no-duckdb are for profiling one case: node --cpu-prof bench/expr-eval.mjs ...)
import * as arrow from 'apache-arrow';
import { performance } from 'node:perf_hooks';
import { fmtMB, fmtRate, median, printTable } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const ROWS = opt('rows', 10_000_000);
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const NO_DUCKDB = args.includes('--no-duckdb');
const RUNS = opt('runs', 3);
const BATCH = 1 << 20;
const log = (msg) => process.stderr.write(`${msg}\n`);

// ---- data --------------------------------------------------------------------------------------
// Row i: id = i; value = ((i*7919) mod 1000003) / 1000; category = 'category_' || lpad((7i + (i>>10)) mod 100, 3);
// ts = 2023-01-01T00:00:00Z + 7i seconds (spans 2023-2025); n = (31i mod 1000) - 500.
const TS_BASE_US = 1_672_531_200_000_000n;
const CATEGORIES = Array.from({ length: 100 }, (_, k) => new TextEncoder().encode(`category_${String(k).padStart(3, '0')}`));
const FIELDS = [
  new arrow.Field('id', new arrow.Int64(), true),
  new arrow.Field('value', new arrow.Float64(), true),
  new arrow.Field('category', new arrow.Utf8(), true),
  new arrow.Field('ts', new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, 'UTC'), true),
  new arrow.Field('n', new arrow.Int32(), true),
];
const ARROW_SCHEMA = new arrow.Schema(FIELDS);
const DUCK_CREATE = (rows) => `CREATE OR REPLACE TABLE t AS SELECT
    i AS id,
    ((i * 7919) % 1000003)::DOUBLE / 1000 AS value,
    'category_' || lpad(((i * 7 + (i >> 10)) % 100)::VARCHAR, 3, '0') AS category,
    make_timestamp(${TS_BASE_US} + i * 7000000) AS ts,
    ((i * 31) % 1000 - 500)::INTEGER AS n
  FROM range(${rows}) r(i)`;
const CHECKSUM = 'SELECT count(*), sum(id), sum(round(value * 1000)::BIGINT), sum(right(category, 3)::INTEGER), sum(epoch_us(ts) - ' + TS_BASE_US + '), sum(n) FROM t';

function buildBatch(start, n) {
  const ids = new BigInt64Array(n);
  const values = new Float64Array(n);
  const ts = new BigInt64Array(n);
  const ns = new Int32Array(n);
  const offsets = new Int32Array(n + 1);
  const cats = new Uint8Array(n);
  let bytes = 0;
  for (let j = 0; j < n; j++) {
    const i = start + j;
    cats[j] = (i * 7 + Math.floor(i / 1024)) % 100;
    bytes += CATEGORIES[cats[j]].length;
  }
  const utf8 = new Uint8Array(bytes);
  let pos = 0;
  for (let j = 0; j < n; j++) {
    const i = start + j;
    ids[j] = BigInt(i);
    values[j] = ((i * 7919) % 1_000_003) / 1000;
    ts[j] = TS_BASE_US + BigInt(i) * 7_000_000n;
    ns[j] = ((i * 31) % 1000) - 500;
    const name = CATEGORIES[cats[j]];
    utf8.set(name, pos);
    pos += name.length;
    offsets[j + 1] = pos;
  }
  const children = [
    arrow.makeData({ type: FIELDS[0].type, length: n, nullCount: 0, data: ids }),
    arrow.makeData({ type: FIELDS[1].type, length: n, nullCount: 0, data: values }),
    arrow.makeData({ type: FIELDS[2].type, length: n, nullCount: 0, valueOffsets: offsets, data: utf8 }),
    arrow.makeData({ type: FIELDS[3].type, length: n, nullCount: 0, data: ts }),
    arrow.makeData({ type: FIELDS[4].type, length: n, nullCount: 0, data: ns }),
  ];
  return new arrow.RecordBatch(ARROW_SCHEMA, arrow.makeData({ type: new arrow.Struct(FIELDS), length: n, nullCount: 0, children }));
}

/** The same checksum as CHECKSUM, over the Arrow batches. */
function arrowChecksum(batches) {
  let count = 0n;
  let sumId = 0n;
  let sumValue = 0n;
  let sumTs = 0n;
  let sumN = 0n;
  let sumCat = 0n;
  for (const b of batches) {
    const c = (k) => b.data.children[k];
    const id = c(0).values;
    const value = c(1).values;
    const ts = c(3).values;
    const n = c(4).values;
    const offsets = c(2).valueOffsets;
    const bytes = c(2).values;
    let sv = 0;
    let sn = 0;
    for (let i = 0; i < b.numRows; i++) {
      sumId += id[i];
      sv += Math.round(value[i] * 1000);
      sumTs += ts[i] - TS_BASE_US;
      sn += n[i];
    }
    let sc = 0;
    for (let i = 0; i < b.numRows; i++) {
      const e = offsets[i + 1];
      sc += (bytes[e - 3] - 48) * 100 + (bytes[e - 2] - 48) * 10 + (bytes[e - 1] - 48);
    }
    sumCat += BigInt(sc);
    sumValue += BigInt(sv);
    sumN += BigInt(sn);
    count += BigInt(b.numRows);
  }
  return [count, sumId, sumValue, sumCat, sumTs, sumN].map(String);
}

// ---- cases -------------------------------------------------------------------------------------

function cases(core) {
  const { col, lit, cmp, and, or, arith, call } = core;
  return [
    { name: 'long vs literal (id > 5000000)', sql: 'id > 5000000', expr: cmp('>', col('id'), lit(5_000_000n)) },
    { name: 'double range (value >= 250.5 AND value <= 500.25)', sql: 'value >= 250.5 AND value <= 500.25', expr: and(cmp('>=', col('value'), lit(250.5)), cmp('<=', col('value'), lit(500.25))) },
    { name: "string equality (category = 'category_042')", sql: "category = 'category_042'", expr: cmp('=', col('category'), lit('category_042')) },
    {
      name: "AND/OR of three ((id < 3000000 AND value > 500) OR category = 'category_007')",
      sql: "(id < 3000000 AND value > 500) OR category = 'category_007'",
      expr: or(and(cmp('<', col('id'), lit(3_000_000n)), cmp('>', col('value'), lit(500))), cmp('=', col('category'), lit('category_007'))),
    },
    {
      name: 'arithmetic (id % 7 = 3 AND value * 2 > 100)',
      sql: 'id % 7 = 3 AND value * 2 > 100',
      expr: and(cmp('=', arith('%', col('id'), lit(7n)), lit(3n)), cmp('>', arith('*', col('value'), lit(2n)), lit(100n))),
    },
    { name: 'int column (n BETWEEN -100 AND 100)', sql: 'n >= -100 AND n <= 100', expr: and(cmp('>=', col('n'), lit(-100n)), cmp('<=', col('n'), lit(100n))) },
    { name: "lower(category) LIKE 'cat%1'", sql: "lower(category) LIKE 'cat%1'", expr: call('like', call('lower', col('category')), lit('cat%1')) },
    { name: 'year(ts) = 2024', sql: 'year(ts) = 2024', expr: cmp('=', call('year', col('ts')), lit(2024n)) },
  ];
}

// ---- deltakit ----------------------------------------------------------------------------------

function countMask(mask) {
  let c = 0;
  for (let i = 0; i < mask.length; i++) c += mask[i];
  return c;
}

async function timeDeltakit(core, schema, c, batches) {
  let pred;
  try {
    pred = core.compilePredicate(core.bindPredicate(c.expr, schema));
  } catch (e) {
    if (e?.code === 'UNKNOWN_FUNCTION') return { skipped: `${e.details?.function ?? 'a function'}() is not in this build` };
    throw e;
  }
  const pass = () => {
    let selected = 0;
    for (const b of batches) selected += countMask(pred.mask(b));
    return selected;
  };
  pred.mask(batches[0]); // warm-up: JIT, lazily built views
  return timed(() => pass());
}

/** Median wall and CPU milliseconds (process-wide, all threads) of RUNS runs of `f`, and its last result. */
async function timed(f) {
  const wall = [];
  const cpu = [];
  let count = 0;
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    count = await f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ms: median(wall), cpuMs: median(cpu), count };
}

// ---- DuckDB ------------------------------------------------------------------------------------

async function duckdb(threads) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await instance.connect();
  const rows = async (sql) => (await conn.runAndReadAll(sql)).getRows();
  return { rows, close: () => conn.closeSync?.() };
}

async function timeDuck(db, c) {
  const sql = `SELECT count(*) FROM t WHERE ${c.sql}`;
  await db.rows(sql); // warm-up
  return timed(async () => Number((await db.rows(sql))[0][0]));
}

// ---- main --------------------------------------------------------------------------------------

async function main() {
  const t0 = performance.now();
  let core;
  try {
    core = await import('@deltakit/core/internal');
  } catch (e) {
    console.log(`expr-eval: unavailable: cannot import @deltakit/core/internal (${e.message.split('\n')[0]}); run \`pnpm build\``);
    return;
  }
  log(`generating ${ROWS.toLocaleString()} rows in ${Math.ceil(ROWS / BATCH)} batches...`);
  const batches = [];
  for (let start = 0; start < ROWS; start += BATCH) batches.push(buildBatch(start, Math.min(BATCH, ROWS - start)));
  const schema = deltaSchema();
  const list = cases(core).filter((c) => ONLY === undefined || c.name.includes(ONLY));

  const results = [];
  for (const c of list) {
    log(`deltakit: ${c.name}`);
    results.push({ c, ours: await timeDeltakit(core, schema, c, batches) });
  }
  const rssDeltakit = process.resourceUsage().maxRSS * 1024;

  if (NO_DUCKDB) {
    for (const { c, ours } of results) console.log(`${c.name}: ${ours.skipped ?? `${fmtRate((ROWS / ours.ms) * 1000)} rows/s, ${ours.ms.toFixed(0)} ms wall, ${ours.cpuMs.toFixed(0)} ms CPU, ${ours.count} matches`}`);
    return;
  }
  log('DuckDB: generating the same rows...');
  const db1 = await duckdb(1);
  await db1.rows(DUCK_CREATE(ROWS));
  const duckSum = (await db1.rows(CHECKSUM))[0].map(String);
  const ourSum = arrowChecksum(batches);
  const same = duckSum.join() === ourSum.join();
  for (const r of results) {
    log(`DuckDB: ${r.c.name}`);
    r.duck = await timeDuck(db1, r.c).catch((e) => ({ error: e.message.split('\n')[0] }));
  }

  const rate = (ms) => (ms ? `${fmtRate((ROWS / ms) * 1000)}/s` : '');
  const times = (x) => (x?.ms ? `${x.ms.toFixed(0)} / ${x.cpuMs.toFixed(0)}` : '');
  const table = [['case', 'deltakit rows/s (wall, CPU)', 'ms wall / CPU', 'matches', 'DuckDB 1 thread rows/s (wall, CPU)', 'ms wall / CPU', 'matches', 'DuckDB/deltakit CPU']];
  for (const { c, ours, duck } of results) {
    const theirs = [duck?.ms ? `${rate(duck.ms)}, ${rate(duck.cpuMs)}` : '', times(duck), duck?.count ?? duck?.error ?? ''];
    if (ours.skipped) {
      table.push([c.name, `skipped (${ours.skipped})`, '', '', ...theirs, '']);
      continue;
    }
    const mismatch = duck?.count !== undefined && duck.count !== ours.count ? '  ≠ MISMATCH' : '';
    table.push([c.name, `${rate(ours.ms)}, ${rate(ours.cpuMs)}`, times(ours), `${ours.count}${mismatch}`, ...theirs, duck?.cpuMs ? `${(ours.cpuMs / duck.cpuMs).toFixed(1)}×` : '']);
  }
  console.log(`\n## Predicate evaluation: ${ROWS.toLocaleString()} rows in ${batches.length} Arrow batches of ${BATCH.toLocaleString()} rows, median of ${RUNS} runs\n`);
  printTable(table);
  console.log(`\nSame rows in both engines (count, sum(id), sum(value*1000), sum of category numbers, sum(ts), sum(n)): ${same ? 'yes' : `NO: arrow ${ourSum.join(', ')} vs DuckDB ${duckSum.join(', ')}`}`);
  console.log(`Peak RSS: ${fmtMB(rssDeltakit)} after the deltakit cases (data + evaluation), ${fmtMB(process.resourceUsage().maxRSS * 1024)} at the end (with DuckDB's copy)`);
  console.log(`Total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  db1.close();
  if (!same || results.some((r) => !r.ours.skipped && r.duck?.count !== undefined && r.duck.count !== r.ours.count)) process.exitCode = 1;
}

/** The Delta schema of the generated rows. */
function deltaSchema() {
  const f = (name, type) => ({ name, type: { kind: 'primitive', name: type }, nullable: true, metadata: {} });
  return { kind: 'struct', fields: [f('id', 'long'), f('value', 'double'), f('category', 'string'), f('ts', 'timestamp'), f('n', 'integer')] };
}

await main();
