import { parse as losslessParse, isSafeNumber } from 'lossless-json';

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
  toString(): string {
    return this.text;
  }
}

/**
 * Parses JSON keeping every number as a {@link JsonNumber} with its source text, so decimal
 * statistics like `-5.67800` and 64-bit longs are exact. Slower than {@link parseJson}.
 */
export function parseJsonExact(text: string): unknown {
  return losslessParse(text, null, (s: string) => new JsonNumber(s));
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
