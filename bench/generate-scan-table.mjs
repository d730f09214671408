// Generates the Delta table the scan benchmark reads: N files of id int64, value double,
// category string (100 distinct values), ts timestamp (µs, UTC), written with parquet-wasm
// (snappy) and a hand-written `_delta_log/00000000000000000000.json`.
//
// Usage: node bench/generate-scan-table.mjs [--out DIR] [--rows 10000000] [--files 8] [--force]
// Reuses an existing table when its log adds up to the requested row count and every file is
// present with the logged size.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';

export const DEFAULT_SCAN_TABLE = fileURLToPath(new URL('./out/scan-table', import.meta.url));
const DEFAULT_ROWS = 10_000_000;
const DEFAULT_FILES = 8;
const ROW_GROUP_ROWS = 1_048_576;
const CATEGORIES = 100;
/** 2024-01-01T00:00:00Z in µs; row i has ts = base + i ms, so stats in ms are exact. */
const TS_BASE_US = 1_704_067_200_000_000n;

const SCHEMA_STRING = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'value', type: 'double', nullable: true, metadata: {} },
    { name: 'category', type: 'string', nullable: true, metadata: {} },
    { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
  ],
});

const categoryName = (k) => `category_${String(k).padStart(3, '0')}`;
const categoryOf = (i) => (i * 7 + (i >>> 10)) % CATEGORIES;
/** Deterministic value in [0, 1000) with a fractional part; no RNG state to carry between files. */
const valueOf = (i) => ((i * 2654435761) % 1_000_003) / 1000.003;

/** Reads the table's log if present; returns {rows, files} when it is complete and consistent. */
export function existingTable(dir) {
  const logFile = join(dir, '_delta_log', '00000000000000000000.json');
  if (!existsSync(logFile)) return undefined;
  let rows = 0;
  const files = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const action = JSON.parse(line);
    if (!action.add) continue;
    const path = join(dir, action.add.path);
    if (!existsSync(path) || statSync(path).size !== action.add.size) return undefined;
    rows += JSON.parse(action.add.stats).numRecords;
    files.push(path);
  }
  return { rows, files };
}

/** Builds one file's Arrow table for rows [start, start + n) with typed arrays (no per-value vectors). */
function buildBatch(start, n) {
  const ids = new BigInt64Array(n);
  const values = new Float64Array(n);
  const ts = new BigInt64Array(n);
  const names = Array.from({ length: CATEGORIES }, (_, k) => new TextEncoder().encode(categoryName(k)));
  const offsets = new Int32Array(n + 1);
  let bytes = 0;
  for (let j = 0; j < n; j++) bytes += names[categoryOf(start + j)].length;
  const utf8 = new Uint8Array(bytes);
  let pos = 0;
  for (let j = 0; j < n; j++) {
    const i = start + j;
    ids[j] = BigInt(i);
    values[j] = valueOf(i);
    ts[j] = TS_BASE_US + BigInt(i) * 1000n;
    const name = names[categoryOf(i)];
    utf8.set(name, pos);
    pos += name.length;
    offsets[j + 1] = pos;
  }
  const fields = [
    new arrow.Field('id', new arrow.Int64(), true),
    new arrow.Field('value', new arrow.Float64(), true),
    new arrow.Field('category', new arrow.Utf8(), true),
    new arrow.Field('ts', new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, 'UTC'), true),
  ];
  const children = [
    arrow.makeData({ type: fields[0].type, length: n, nullCount: 0, data: ids }),
    arrow.makeData({ type: fields[1].type, length: n, nullCount: 0, data: values }),
    arrow.makeData({ type: fields[2].type, length: n, nullCount: 0, valueOffsets: offsets, data: utf8 }),
    arrow.makeData({ type: fields[3].type, length: n, nullCount: 0, data: ts }),
  ];
  const schema = new arrow.Schema(fields);
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: n, nullCount: 0, children });
  const table = new arrow.Table([new arrow.RecordBatch(schema, struct)]);
  return { table, ids, values, ts, start, n };
}

function isoMs(us) {
  return new Date(Number(us / 1000n)).toISOString();
}

/** Delta stats computed from the generated columns (min/max over the typed arrays). */
function statsOf({ values, start, n }) {
  let vmin = Infinity;
  let vmax = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = values[j];
    if (v < vmin) vmin = v;
    if (v > vmax) vmax = v;
  }
  const seen = new Set();
  for (let j = 0; j < n && seen.size < CATEGORIES; j++) seen.add(categoryOf(start + j));
  const cats = [...seen].map(categoryName).sort();
  const last = start + n - 1;
  return {
    numRecords: n,
    minValues: { id: start, value: vmin, category: cats[0], ts: isoMs(TS_BASE_US + BigInt(start) * 1000n) },
    maxValues: { id: last, value: vmax, category: cats[cats.length - 1], ts: isoMs(TS_BASE_US + BigInt(last) * 1000n) },
    nullCount: { id: 0, value: 0, category: 0, ts: 0 },
  };
}

function writerProps() {
  return new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setCreatedBy('deltakit bench generator')
    .build();
}

/** Writes the table (data files first, log last) and returns {rows, files}. */
export function generateScanTable({ dir = DEFAULT_SCAN_TABLE, rows = DEFAULT_ROWS, files = DEFAULT_FILES, force = false, log = console.log } = {}) {
  dir = resolve(dir);
  const existing = force ? undefined : existingTable(dir);
  if (existing && existing.rows === rows) {
    log(`scan table: reusing ${dir} (${rows.toLocaleString('en-US')} rows, ${existing.files.length} files)`);
    return existing;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, '_delta_log'), { recursive: true });
  const now = Date.now();
  const actions = [
    { commitInfo: { timestamp: now, operation: 'WRITE', operationParameters: { mode: 'ErrorIfExists' }, engineInfo: 'deltakit-bench' } },
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    { metaData: { id: randomUUID(), format: { provider: 'parquet', options: {} }, schemaString: SCHEMA_STRING, partitionColumns: [], configuration: {}, createdTime: now } },
  ];
  const paths = [];
  const perFile = Math.ceil(rows / files);
  const t0 = performance.now();
  for (let f = 0, start = 0; start < rows; f++, start += perFile) {
    const n = Math.min(perFile, rows - start);
    const batch = buildBatch(start, n);
    const wasmTable = pw.Table.fromIPCStream(arrow.tableToIPC(batch.table, 'stream'));
    const bytes = pw.writeParquet(wasmTable, writerProps());
    const name = `part-${String(f).padStart(5, '0')}-${randomUUID()}-c000.snappy.parquet`;
    writeFileSync(join(dir, name), bytes);
    paths.push(join(dir, name));
    actions.push({ add: { path: name, partitionValues: {}, size: bytes.length, modificationTime: now, dataChange: true, stats: JSON.stringify(statsOf(batch)) } });
    log(`  wrote ${name}: ${n.toLocaleString('en-US')} rows, ${(bytes.length / 1e6).toFixed(1)} MB`);
  }
  writeFileSync(join(dir, '_delta_log', '00000000000000000000.json'), actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
  log(`scan table: generated ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { rows, files: paths };
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') opts.force = true;
    else if (a === '--out') opts.dir = argv[++i];
    else if (a === '--rows') opts.rows = Number(argv[++i]);
    else if (a === '--files') opts.files = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}; expected --out DIR, --rows N, --files N, --force`);
  }
  return opts;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  generateScanTable(parseArgs(process.argv.slice(2)));
}
