import type { FixtureRow, FixtureStruct, FixtureType } from '../../../../fixtures/generate.mjs';

/**
 * The canonical text (the format of `../table/canonical.ts`) of rows in the generator's value
 * representation, computed without the library: what the reader must return for them.
 */
export function expectedCanonicalRows(rows: readonly FixtureRow[], schema: FixtureStruct, columns?: readonly string[]): string[] {
  const fields = schema.fields.filter((f) => columns === undefined || columns.includes(f.name));
  const order = [...fields].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  return rows.map((r) => order.map((f) => `${f.name.toLowerCase()}=${canonicalValue(r[f.name], f.type)}`).join('|')).sort();
}

/** One value's canonical text. */
export function canonicalValue(v: unknown, type: FixtureType): string {
  if (v === null || v === undefined) return 'null';
  switch (type.kind) {
    case 'decimal':
      return decimalText(v as string);
    case 'array':
      return `[${(v as unknown[]).map((x) => canonicalValue(x, type.elementType)).join(',')}]`;
    case 'map':
      return `{${(v as [unknown, unknown][]).map(([k, x]) => `${canonicalValue(k, type.keyType)}->${canonicalValue(x, type.valueType)}`).sort().join(',')}}`;
    case 'struct': {
      const o = v as Record<string, unknown>;
      return `{${type.fields.map((f) => `${f.name.toLowerCase()}:${canonicalValue(o[f.name], f.type)}`).sort().join(',')}}`;
    }
    case 'primitive':
      return primitiveText(v, type.name);
  }
}

function primitiveText(v: unknown, name: string): string {
  switch (name) {
    case 'float':
      return Number.isNaN(v) ? 'NaN' : String(Math.fround(v as number));
    case 'double':
      return Number.isNaN(v) ? 'NaN' : String(v);
    case 'string':
      return JSON.stringify(v);
    case 'binary':
      return 'x' + Buffer.from(v as Uint8Array).toString('hex');
    case 'date':
      return `d${dayNumber(v as string)}`;
    case 'timestamp':
    case 'timestamp_ntz':
      return `t${micros(v as string)}`;
    default:
      return String(v);
  }
}

/** Days since 1970-01-01 of 'YYYY-MM-DD'. */
export function dayNumber(s: string): number {
  const ms = Date.parse(`${s}T00:00:00Z`);
  if (!Number.isFinite(ms)) throw new Error(`bad date ${s}`);
  return ms / 86_400_000;
}

/** Microseconds since the epoch of 'YYYY-MM-DD[T ]HH:mm:ss[.ffffff][Z]' read as UTC. */
export function micros(s: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z?$/.exec(s);
  if (!m) throw new Error(`bad timestamp ${s}`);
  const ms = Date.parse(`${m[1]}T${m[2]}Z`);
  return BigInt(ms) * 1000n + BigInt((m[3] ?? '').padEnd(6, '0'));
}

/** Decimal text → `<unscaled>e-<scale>` with trailing zeros dropped (canonical.ts's form). */
export function decimalText(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`bad decimal ${text}`);
  let v = BigInt(`${m[1]}${m[2]}${m[3] ?? ''}`);
  let s = (m[3] ?? '').length;
  while (s > 0 && v % 10n === 0n && v !== 0n) {
    v /= 10n;
    s--;
  }
  if (v === 0n) s = 0;
  return `${v}e-${s}`;
}
