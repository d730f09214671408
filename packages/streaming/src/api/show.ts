/**
 * Spark's `Dataset.show` layout: a `+---+` framed table, cells right-aligned and cut to 20
 * characters (17 and `...`) unless `truncate` is false (then left-aligned and whole), NULL for
 * nulls, and `only showing top n rows` when rows were left out.
 */
import type { StructType } from '@deltakit/core';
import type { Row } from './rows.js';

export function formatShow(schema: StructType, rows: readonly Row[], n: number, truncate: boolean | number): string {
  const limit = truncate === true ? 20 : truncate === false ? 0 : truncate;
  const shown = rows.slice(0, n);
  const header = schema.fields.map((f) => cut(f.name, limit));
  const cells = shown.map((r) => schema.fields.map((f) => cut(cellText(r[f.name]), limit)));
  const widths = header.map((h, i) => Math.max(3, width(h), ...cells.map((c) => width(c[i]!))));
  const sep = '+' + widths.map((w) => '-'.repeat(w)).join('+') + '+';
  const line = (cols: readonly string[]) => '|' + cols.map((c, i) => (limit > 0 ? c.padStart(widths[i]! + c.length - width(c)) : c.padEnd(widths[i]! + c.length - width(c)))).join('|') + '|';
  const out = [sep, line(header), sep, ...cells.map(line), sep];
  if (rows.length > n) out.push(`only showing top ${n} row${n === 1 ? '' : 's'}`);
  return out.join('\n');
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Uint8Array) return '[' + [...v].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ') + ']';
  if (v instanceof Map) return '{' + [...v.entries()].map(([k, x]) => `${cellText(k)} -> ${cellText(x)}`).join(', ') + '}';
  if (Array.isArray(v)) return '[' + v.map(cellText).join(', ') + ']';
  if (typeof v === 'object') return '{' + Object.values(v as object).map(cellText).join(', ') + '}';
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z?$/.test(v)) return v.replace('T', ' ').replace(/Z$/, '').replace(/\.?0+$/, '');
  return String(v);
}

function cut(s: string, limit: number): string {
  if (limit <= 0 || s.length <= limit) return s;
  return limit < 4 ? s.slice(0, limit) : s.slice(0, limit - 3) + '...';
}

/** Display width: characters, counting East Asian wide characters twice as Spark does. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/.test(ch) ? 2 : 1;
  return w;
}
