/**
 * The protocol's JSON checksum for `_last_checkpoint` (protocol §JSON checksum): an MD5 over a
 * canonical flattening of the JSON document that does not depend on key order or whitespace.
 *
 * Canonical form: drop the top-level `checksum` field; list every leaf as `path=value`, where the
 * path joins segments with `+` (object keys as `"<urlencoded key>"`, array positions as bare
 * decimal indexes) and the value is `"<urlencoded string>"` for strings or the literal JSON text
 * for numbers, booleans and null (numbers keep their source spelling: `1.0` stays `1.0`); sort
 * the pairs by the UTF-8 bytes of their path; join with `,`. URL encoding keeps `A-Za-z0-9-._~`
 * and writes every other UTF-8 byte as upper-case `%XX`.
 */
import { createHash } from 'node:crypto';
import { DeltaError } from '../errors.js';
import { JsonNumber, parseJsonExact, stringifyJsonExact } from '../util/json.js';

/** Lower-case hex MD5 checksum of a JSON document given as text (any top-level `checksum` is ignored). */
export function lastCheckpointChecksum(jsonText: string): string {
  let doc: unknown;
  try {
    doc = parseJsonExact(jsonText);
  } catch (e) {
    throw new DeltaError('PARSE_ERROR', `Cannot compute a JSON checksum: the text is not valid JSON (${e instanceof Error ? e.message : String(e)}). Pass the exact _last_checkpoint content.`, { cause: e });
  }
  return checksumOfValue(doc);
}

/**
 * Checksum of an already-parsed document. Numbers may be JS numbers, bigints or
 * {@link JsonNumber}s (which keep their source spelling); `undefined` members are skipped.
 */
export function checksumOfValue(doc: unknown): string {
  const pairs: [Uint8Array, string][] = [];
  const top = isPlainObject(doc) ? Object.fromEntries(Object.entries(doc).filter(([k]) => k !== 'checksum')) : doc;
  flatten(top, '', pairs);
  pairs.sort((a, b) => compareBytes(a[0], b[0]));
  const canonical = pairs.map(([, pair]) => pair).join(',');
  return createHash('md5').update(canonical, 'utf8').digest('hex');
}

/**
 * Adds `checksum` to a `_last_checkpoint` object: returns the JSON text with the checksum as the
 * last field. Values are written with {@link JsonNumber} spelling preserved and bigints exact.
 */
export function withChecksum(doc: Readonly<Record<string, unknown>>): string {
  const { checksum: _ignored, ...rest } = doc;
  const body = stringifyJsonExact(rest);
  const sum = checksumOfValue(rest);
  return body.slice(0, -1) + (body === '{}' ? '' : ',') + '"checksum":' + JSON.stringify(sum) + '}';
}

/** True when `jsonText` carries a `checksum` equal to its computed checksum; undefined when it has none. */
export function verifyLastCheckpointChecksum(jsonText: string): boolean | undefined {
  const doc = parseJsonExact(jsonText);
  if (!isPlainObject(doc) || typeof doc['checksum'] !== 'string') return undefined;
  return doc['checksum'] === checksumOfValue(doc);
}

const encoder = new TextEncoder();

function flatten(v: unknown, path: string, out: [Uint8Array, string][]): void {
  const join = (seg: string) => (path === '' ? seg : path + '+' + seg);
  if (Array.isArray(v)) {
    v.forEach((item, i) => flatten(item, join(String(i)), out));
    return;
  }
  if (isPlainObject(v)) {
    for (const [k, item] of Object.entries(v)) {
      if (item !== undefined) flatten(item, join('"' + urlEncode(k) + '"'), out);
    }
    return;
  }
  out.push([encoder.encode(path), path + '=' + leafText(v)]);
}

function leafText(v: unknown): string {
  if (typeof v === 'string') return '"' + urlEncode(v) + '"';
  if (v instanceof JsonNumber) return v.text;
  if (v === null || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'number' && Number.isFinite(v)) return JSON.stringify(v);
  throw new DeltaError('INVALID_ARGUMENT', `Cannot checksum a ${typeof v} value (${String(v)}): only JSON values are allowed.`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

function urlEncode(s: string): string {
  let out = '';
  for (const b of encoder.encode(s)) {
    const unreserved = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
    out += unreserved ? String.fromCharCode(b) : '%' + (b < 16 ? '0' : '') + b.toString(16).toUpperCase();
  }
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
