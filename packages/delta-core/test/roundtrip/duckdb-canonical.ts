import type { FixtureStruct, FixtureType } from '../../../../fixtures/generate.mjs';
import { duckRows, lit } from '../parquet/duckdb-oracle.js';
import { decimalText } from './expected.js';

/**
 * Rows of parquet files as DuckDB reads them, in canonical text (see `../table/canonical.ts`),
 * for the given top-level columns of `schema`. Values JS would round (decimals, timestamps,
 * dates, also inside nested types) are turned into exact forms in SQL first.
 */
export async function duckCanonicalRows(files: readonly string[], schema: FixtureStruct, columns: readonly string[]): Promise<string[]> {
  const fields = schema.fields.filter((f) => columns.includes(f.name));
  const select = fields.map((f, k) => `${exact(quote(f.name), f.type, 0)} AS c${k}`).join(', ');
  const rows = await duckRows(`SELECT ${select} FROM read_parquet([${files.map(lit).join(', ')}])`);
  const order = fields.map((f, k) => [f, k] as const).sort((a, b) => (a[0].name.toLowerCase() < b[0].name.toLowerCase() ? -1 : 1));
  return rows.map((r) => order.map(([f, k]) => `${f.name.toLowerCase()}=${duckValue(r[`c${k}`], f.type)}`).join('|')).sort();
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** SQL for `e` of `type` with every leaf in a form the JS client returns exactly. */
function exact(e: string, type: FixtureType, depth: number): string {
  const x = `x${depth}`;
  switch (type.kind) {
    case 'decimal':
      return `CAST(${e} AS VARCHAR)`;
    case 'array':
      return `list_transform(${e}, ${x} -> ${exact(x, type.elementType, depth + 1)})`;
    case 'map':
      return `CASE WHEN ${e} IS NULL THEN NULL ELSE list_transform(map_entries(${e}), ${x} -> struct_pack(k := ${exact(`${x}.key`, type.keyType, depth + 1)}, v := ${exact(`${x}.value`, type.valueType, depth + 1)})) END`;
    case 'struct': {
      const parts = type.fields.map((f) => `${quote(f.name)} := ${exact(`${e}.${quote(f.name)}`, f.type, depth + 1)}`);
      return `CASE WHEN ${e} IS NULL THEN NULL ELSE struct_pack(${parts.join(', ')}) END`;
    }
    case 'primitive':
      if (type.name === 'timestamp' || type.name === 'timestamp_ntz') return `epoch_us(${e})`;
      if (type.name === 'date') return `datediff('day', DATE '1970-01-01', ${e})`;
      return e;
  }
}

function duckValue(v: unknown, type: FixtureType): string {
  if (v === null || v === undefined) return 'null';
  switch (type.kind) {
    case 'decimal':
      return decimalText(v as string);
    case 'array':
      return `[${(v as unknown[]).map((x) => duckValue(x, type.elementType)).join(',')}]`;
    case 'map':
      return `{${(v as { k: unknown; v: unknown }[]).map((en) => `${duckValue(en.k, type.keyType)}->${duckValue(en.v, type.valueType)}`).sort().join(',')}}`;
    case 'struct': {
      const o = v as Record<string, unknown>;
      return `{${type.fields.map((f) => `${f.name.toLowerCase()}:${duckValue(o[f.name], f.type)}`).sort().join(',')}}`;
    }
    case 'primitive':
      switch (type.name) {
        case 'float':
          return Number.isNaN(v) ? 'NaN' : String(Math.fround(v as number));
        case 'double':
          return Number.isNaN(v) ? 'NaN' : String(v);
        case 'string':
          return JSON.stringify(v);
        case 'binary':
          return 'x' + Buffer.from(v as Uint8Array).toString('hex');
        case 'date':
          return `d${String(v)}`;
        case 'timestamp':
        case 'timestamp_ntz':
          return `t${String(v)}`;
        default:
          return String(v);
      }
  }
}
