// The data the write benchmark appends, generated identically in JS (Arrow record batches built
// from typed arrays with makeData) and in DuckDB (range() + SQL expressions), so every writer
// encodes the same values. Row i:
//   id       long       i
//   value    double     ((i * 7919) % 1000003) / 1000   (exact in both: i * 7919 < 2^53)
//   category string     'category_' || lpad((i * 7 + (i >> 10)) % 100, 3, '0')   (100 distinct)
//   ts       timestamp  2024-01-01T00:00:00Z + i ms (µs precision, UTC)
import * as arrow from 'apache-arrow';

const CATEGORIES = 100;
const TS_BASE_US = 1_704_067_200_000_000n;

const categoryOf = (i) => (i * 7 + (i >>> 10)) % CATEGORIES;
const valueOf = (i) => ((i * 7919) % 1_000_003) / 1000;

export const FIELDS = [
  new arrow.Field('id', new arrow.Int64(), true),
  new arrow.Field('value', new arrow.Float64(), true),
  new arrow.Field('category', new arrow.Utf8(), true),
  new arrow.Field('ts', new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, 'UTC'), true),
];
export const SCHEMA = new arrow.Schema(FIELDS);

const NAMES = Array.from({ length: CATEGORIES }, (_, k) => new TextEncoder().encode(`category_${String(k).padStart(3, '0')}`));

/** One record batch of rows [start, start + n), built from typed arrays (no per-value builders). */
export function buildBatch(start, n) {
  const ids = new BigInt64Array(n);
  const values = new Float64Array(n);
  const ts = new BigInt64Array(n);
  const offsets = new Int32Array(n + 1);
  let bytes = 0;
  for (let j = 0; j < n; j++) bytes += NAMES[categoryOf(start + j)].length;
  const utf8 = new Uint8Array(bytes);
  let pos = 0;
  for (let j = 0; j < n; j++) {
    const i = start + j;
    const big = BigInt(i);
    ids[j] = big;
    values[j] = valueOf(i);
    ts[j] = TS_BASE_US + big * 1000n;
    const name = NAMES[categoryOf(i)];
    utf8.set(name, pos);
    pos += name.length;
    offsets[j + 1] = pos;
  }
  const children = [
    arrow.makeData({ type: FIELDS[0].type, length: n, nullCount: 0, data: ids }),
    arrow.makeData({ type: FIELDS[1].type, length: n, nullCount: 0, data: values }),
    arrow.makeData({ type: FIELDS[2].type, length: n, nullCount: 0, valueOffsets: offsets, data: utf8 }),
    arrow.makeData({ type: FIELDS[3].type, length: n, nullCount: 0, data: ts }),
  ];
  const struct = arrow.makeData({ type: new arrow.Struct(FIELDS), length: n, nullCount: 0, children });
  return new arrow.RecordBatch(SCHEMA, struct);
}

/** `rows` rows as record batches of `batchRows` rows (the last may be shorter). */
export function buildBatches(rows, batchRows) {
  const out = [];
  for (let start = 0; start < rows; start += batchRows) out.push(buildBatch(start, Math.min(batchRows, rows - start)));
  return out;
}

/** DuckDB SQL creating table `name` with the same rows (run with TimeZone = 'UTC'). */
export function duckdbCreateSql(name, rows) {
  return `CREATE OR REPLACE TABLE ${name} AS SELECT
    i AS id,
    ((i * 7919) % 1000003)::DOUBLE / 1000 AS value,
    'category_' || lpad(((i * 7 + (i >> 10)) % 100)::VARCHAR, 3, '0') AS category,
    make_timestamp(1704067200000000 + i * 1000)::TIMESTAMPTZ AS ts
  FROM range(${rows}) r(i)`;
}

/**
 * DuckDB query checking a set of parquet files holds exactly these rows: returns one row
 * [count, sum(id), sum(value * 1000) as an exact integer, distinct categories, max(ts) µs].
 */
export function duckdbCheckSql(files) {
  const list = files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ');
  return `SELECT count(*), sum(id), sum(round(value * 1000)::BIGINT), count(DISTINCT category), epoch_us(max(ts))
    FROM read_parquet([${list}])`;
}

/** What `duckdbCheckSql` must return for `rows` generated rows, computed in JS. */
export function expectedCheck(rows) {
  let sumValue = 0; // < rows * 1e6, exact as a double for any row count this bench uses
  for (let i = 0; i < rows; i++) sumValue += (i * 7919) % 1_000_003;
  const cats = new Set();
  for (let i = 0; i < rows && cats.size < CATEGORIES; i++) cats.add(categoryOf(i));
  const n = BigInt(rows);
  return [String(rows), String((n * (n - 1n)) / 2n), String(sumValue), String(cats.size), String(TS_BASE_US + (n - 1n) * 1000n)];
}
