/**
 * An exact JSON parser for input lines: numbers keep their source text (so 64-bit longs and
 * decimals are never rounded through a JS double) and objects are Maps in key order (so any key,
 * `__proto__` included, is plain data). A repeated key keeps its last value, as JSON.parse does.
 */

/** A JSON number with its exact source text. */
export class JsonNumber {
  constructor(readonly text: string) {}
  /** True when the text has no fraction or exponent. */
  get isInteger(): boolean {
    return !/[.eE]/.test(this.text);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

/** A syntax error at a 0-based character offset of the parsed text. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Parses one JSON document; throws {@link JsonSyntaxError} for malformed text or trailing content. */
export function parseJsonLine(text: string): JsonValue {
  const p = new Parser(text);
  p.skipSpace();
  const value = p.value(0);
  p.skipSpace();
  if (p.i < text.length) throw p.error('unexpected text after the JSON value');
  return value;
}

const MAX_DEPTH = 512;
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  skipSpace(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) throw this.error(`nesting deeper than ${MAX_DEPTH} levels`);
    const c = this.s[this.i];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        throw this.error('unexpected end of the line; the JSON value is incomplete');
      default:
        return this.number();
    }
  }

  private object(depth: number): JsonObject {
    const out: JsonObject = new Map();
    this.i++;
    this.skipSpace();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] !== '"') throw this.error('expected a quoted key');
      const key = this.string();
      this.skipSpace();
      if (this.s[this.i] !== ':') throw this.error(`expected ':' after the key ${JSON.stringify(key)}`);
      this.i++;
      this.skipSpace();
      out.set(key, this.value(depth + 1));
      this.skipSpace();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') throw this.error("expected ',' or '}' in the object", this.i - 1);
    }
  }

  private array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.i++;
    this.skipSpace();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') throw this.error("expected ',' or ']' in the array", this.i - 1);
    }
  }

  private string(): string {
    const s = this.s;
    const start = ++this.i;
    // Fast path: no escapes before the closing quote.
    let j = start;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === 34) {
        this.i = j + 1;
        return s.slice(start, j);
      }
      if (c === 92 || c < 32) break;
      j++;
    }
    let out = s.slice(start, j);
    this.i = j;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 34) {
        this.i++;
        return out;
      }
      if (c < 32) throw this.error('a control character inside a string must be escaped');
      if (c !== 92) {
        out += s[this.i++];
        continue;
      }
      const e = s[this.i + 1];
      const simple = e === undefined ? undefined : ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        this.i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(this.i + 2, this.i + 6))) {
        out += String.fromCharCode(parseInt(s.slice(this.i + 2, this.i + 6), 16));
        this.i += 6;
      } else throw this.error(`invalid escape '\\${e ?? ''}' in a string`);
    }
    throw this.error('a string is not closed', start - 1);
  }

  private number(): JsonNumber {
    NUMBER_RE.lastIndex = this.i;
    const m = NUMBER_RE.exec(this.s);
    if (m === null || m[0] === '' || m[0] === '-') throw this.error(`unexpected character '${this.s[this.i]}'`);
    this.i += m[0].length;
    return new JsonNumber(m[0]);
  }

  private literal<T>(word: string, value: T): T {
    if (!this.s.startsWith(word, this.i)) throw this.error(`unexpected character '${this.s[this.i]}'`);
    this.i += word.length;
    return value;
  }

  error(message: string, at = this.i): JsonSyntaxError {
    return new JsonSyntaxError(at, message);
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Compact JSON text of a parsed value, numbers as written (for JSON values stored in string columns). */
export function jsonText(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  return `{${[...v].map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
}
