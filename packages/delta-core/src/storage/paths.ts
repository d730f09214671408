/** Path helpers shared by stores. Store paths are absolute and slash-separated. */

/** `dir` with exactly one trailing slash. */
export function normalizeDir(dir: string): string {
  return dir.endsWith('/') ? dir : dir + '/';
}

/** Joins path segments with single slashes. */
export function joinPath(base: string, ...parts: string[]): string {
  let out = base.replace(/\/+$/, '');
  for (const p of parts) out += '/' + p.replace(/^\/+/, '');
  return out;
}

const encoder = new TextEncoder();

/**
 * Compares two strings by UTF-8 byte order (the order object stores list in). For strings without
 * surrogate pairs this equals UTF-16 code unit order, which is the fast path.
 */
export function compareUtf8(a: string, b: string): number {
  if (!HAS_SURROGATE.test(a) && !HAS_SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

const HAS_SURROGATE = /[\ud800-\udfff]/;
