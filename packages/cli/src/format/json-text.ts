/**
 * JSON text for metadata values (commit info, statistics, table summaries) that may hold bigints.
 * Unlike `JSON.stringify`: bigints print as exact integers, Maps as objects, non-finite numbers
 * as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` instead of `null`, and Dates as ISO text.
 * `undefined` members are left out of objects and print as `null` in arrays.
 */
export function toJsonText(value: unknown, indent = 0): string {
  return write(value, indent > 0 ? ' '.repeat(indent) : '', '');
}

function write(value: unknown, step: string, pad: string): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return 'null';
  }
  if (value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const inner = pad + step;
  const open = (items: string[], o: string, c: string): string => {
    if (items.length === 0) return o + c;
    if (step === '') return o + items.join(',') + c;
    return `${o}\n${inner}${items.join(`,\n${inner}`)}\n${pad}${c}`;
  };
  const sep = step === '' ? ':' : ': ';
  if (Array.isArray(value)) return open(value.map((v: unknown) => write(v, step, inner)), '[', ']');
  const entries: Array<[string, unknown]> =
    value instanceof Map ? [...(value as Map<unknown, unknown>)].map(([k, v]) => [String(k), v]) : Object.entries(value as object);
  const items: string[] = [];
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    items.push(JSON.stringify(k) + sep + write(v, step, inner));
  }
  return open(items, '{', '}');
}
