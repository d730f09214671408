import { parse as losslessParse, isSafeNumber, type ParseOptions } from 'lossless-json';

/**
 * JSON parsing that never rounds integers. `JSON.parse` turns 9007199254740993 into ...992, so
 * any text with a run of 16+ digits goes through a lossless parser instead; plain text takes the
 * fast native path. Integers beyond 2^53 come back as bigint; other numbers as JS numbers.
 */
export function parseJson(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  return losslessParse(text, null, parseNumberPreservingLongs);
}

/** The exact source text of a JSON number, for values whose type decides the meaning (decimals, longs). */
export class JsonNumber {
  constructor(readonly text: string) {}
  /** True when the text has no fraction or exponent. */
  get isInteger(): boolean {
    return !/[.eE]/.test(this.text);
  }
  toString(): string {
    return this.text;
  }
}

/** Malformed JSON text: `offset` is the 0-based character where parsing stopped. */
export class JsonSyntaxError extends SyntaxError {
  constructor(
    /** The problem, without its position. */
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at position ${offset}`);
  }
}

/** Options of {@link parseJsonExact}. */
export interface ExactJsonOptions {
  /**
   * A key repeated in one object: `'error'` (the default) refuses the text unless both values are
   * equal; `'last'` keeps the last value, as `JSON.parse` does.
   */
  readonly duplicateKeys?: 'error' | 'last';
  /**
   * Record the source order of object keys where JS objects lose it (integer-like keys such as
   * `"2"` are always listed first and ascending); read it back with {@link jsonKeys}.
   */
  readonly keyOrder?: boolean;
}

/**
 * Parses JSON keeping every number as a {@link JsonNumber} with its source text, so decimal
 * statistics like `-5.67800` and 64-bit longs are exact. Objects are plain objects (a `__proto__`
 * key is ordinary data). Slower than {@link parseJson}. Malformed text throws
 * {@link JsonSyntaxError}.
 */
export function parseJsonExact(text: string, options: ExactJsonOptions = {}): unknown {
  let value: unknown;
  try {
    value = losslessParse(text, null, options.duplicateKeys === 'last' ? EXACT_LAST_KEY_WINS : EXACT);
    if (options.keyOrder === true && INDEX_KEY.test(text)) noteKeyOrder(value, keyShape(text));
  } catch (e) {
    // The recursive parser runs out of stack on very deep nesting.
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw new JsonSyntaxError('the value is nested too deeply', 0);
    const m = e instanceof SyntaxError ? /^(.*) at position (\d+)$/s.exec(e.message) : null;
    if (m !== null) throw new JsonSyntaxError(m[1]!, Number(m[2]));
    throw e;
  }
  return value;
}

const EXACT: ParseOptions = { parseNumber: (s) => new JsonNumber(s) };
const EXACT_LAST_KEY_WINS: ParseOptions = { ...EXACT, onDuplicateKey: ({ newValue }) => newValue };

/**
 * The keys of an object from {@link parseJsonExact} in source order (when it was parsed with
 * `keyOrder`), or in JS property order otherwise.
 */
export function jsonKeys(object: object): readonly string[] {
  return (object as { [SOURCE_KEYS]?: readonly string[] })[SOURCE_KEYS] ?? Object.keys(object);
}

/**
 * Compact JSON text of a parsed (or built) value: {@link JsonNumber}s as written, bigints exact,
 * object members in {@link jsonKeys} order, `undefined` members left out.
 */
export function stringifyJsonExact(v: unknown): string {
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return '[' + v.map(stringifyJsonExact).join(',') + ']';
  if (typeof v === 'object' && v !== null) {
    const parts: string[] = [];
    for (const k of jsonKeys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) parts.push(JSON.stringify(k) + ':' + stringifyJsonExact(x));
    }
    return '{' + parts.join(',') + '}';
  }
  return JSON.stringify(v);
}

/** A key JS objects would list out of source order (an array index). */
const INDEX_KEY = /"(?:0|[1-9]\d*)"\s*:/;
const SOURCE_KEYS = Symbol('sourceKeys');

/** The keys of every object of valid JSON text, nested like the value: objects → key order and member shapes. */
interface KeyShape {
  readonly keys: string[];
  readonly members: Map<string, Shape>;
}
type Shape = KeyShape | Shape[] | null;

function keyShape(text: string): Shape {
  let i = 0;
  const space = (): void => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  };
  const string = (): string => {
    const start = i;
    let escaped = false;
    for (i++; text.charCodeAt(i) !== 34; i++) {
      if (text.charCodeAt(i) === 92) {
        escaped = true;
        i++;
      }
    }
    i++;
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };
  const value = (): Shape => {
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      const shape: Shape = c === '{' ? { keys: [], members: new Map() } : [];
      for (space(); text[i] !== '}' && text[i] !== ']'; space()) {
        if (text[i] === ',') i++;
        if (Array.isArray(shape)) {
          shape.push(value());
          continue;
        }
        space();
        const key = string();
        space();
        i++; // the colon
        if (!shape.members.has(key)) shape.keys.push(key);
        shape.members.set(key, value()); // a repeated key keeps its first position and last value
      }
      i++;
      return shape;
    }
    if (c === '"') string();
    else for (let d = text.charCodeAt(i); i < text.length && d !== 44 && d !== 93 && d !== 125 && d > 32; d = text.charCodeAt(++i));
    return null;
  };
  return value();
}

/** Attaches the source key order to each object of `value` whose JS order differs. */
function noteKeyOrder(value: unknown, shape: Shape): void {
  if (shape === null || typeof value !== 'object' || value === null) return;
  if (Array.isArray(shape)) {
    if (Array.isArray(value)) shape.forEach((s, k) => noteKeyOrder(value[k], s));
    return;
  }
  const record = value as Record<string, unknown>;
  const own = Object.keys(record);
  if (own.some((k, j) => k !== shape.keys[j])) Object.defineProperty(record, SOURCE_KEYS, { value: shape.keys, enumerable: false });
  for (const k of shape.keys) noteKeyOrder(record[k], shape.members.get(k) ?? null);
}

const LONG_DIGITS = /\d{16}/;

function parseNumberPreservingLongs(text: string): number | bigint {
  if (/^-?\d+$/.test(text) && !isSafeNumber(text)) return BigInt(text);
  return Number(text);
}

/** JSON text for values that may contain bigints (printed as exact integers). */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? BIGINT_MARK + v.toString() + BIGINT_MARK : v)).replace(
    BIGINT_RE,
    '$1',
  );
}

const BIGINT_MARK = '\u0000bigint\u0000';
const BIGINT_RE = /"\\u0000bigint\\u0000(-?\d+)\\u0000bigint\\u0000"/g;
