/**
 * JSON text as Spark's JSON functions read and write it (Spark runs Jackson): a reader that
 * accepts exactly what Jackson accepts with the features Spark enables, and a writer producing
 * Jackson's compact output. Numbers keep their source text, so longs beyond 2^53 and decimals stay
 * exact until a target type decides their meaning.
 *
 * Reading rules (Jackson 2.15 as configured by Spark 3.5):
 * - only the first JSON value is read; anything after it is never looked at (Jackson reads tokens
 *   lazily and Spark never asks for more), except that a number at the top level must be followed
 *   by white space or the end (Jackson's root-value check);
 * - white space is space, tab, CR and LF; object keys must be quoted; no comments, no trailing
 *   commas, no leading zeros, no `+1`, no `.5`, no `1.`; duplicate keys are kept in order;
 * - options: single-quoted strings, raw control characters inside strings, and the NaN /
 *   Infinity tokens;
 * - nesting deeper than 1000 levels and numbers longer than 1000 characters are errors
 *   (Jackson's default stream-read constraints).
 */
import { javaFloatingString } from '../../schema/partition-values.js';

/** A parsed JSON value. Objects keep every key in source order, duplicates included. */
export type JsonNode =
  | { readonly t: 'obj'; readonly keys: readonly string[]; readonly vals: readonly JsonNode[] }
  | { readonly t: 'arr'; readonly items: readonly JsonNode[] }
  | { readonly t: 'str'; readonly v: string }
  /** An integer token: source text (`-?digits`). */
  | { readonly t: 'int'; readonly text: string }
  /** A fractional or exponent number, or a non-numeric token (`NaN`, `Infinity`, `-Infinity`). */
  | { readonly t: 'float'; readonly text: string }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'null' };

export interface JsonReadOptions {
  /** `'text'` strings (Jackson ALLOW_SINGLE_QUOTES). */
  readonly singleQuotes: boolean;
  /** Raw characters below U+0020 inside strings (ALLOW_UNESCAPED_CONTROL_CHARS). */
  readonly controlChars: boolean;
  /** `NaN`, `Infinity`, `+Infinity`, `-Infinity`, `+INF`, `-INF` tokens (ALLOW_NON_NUMERIC_NUMBERS). */
  readonly nonNumeric: boolean;
  /** `007` (ALLOW_NUMERIC_LEADING_ZEROS). */
  readonly leadingZeros: boolean;
}

/** get_json_object, json_array_length, json_object_keys: Spark's shared Hive-compatible factory. */
export const HIVE_READ: JsonReadOptions = { singleQuotes: true, controlChars: true, nonNumeric: false, leadingZeros: false };
/** from_json and schema_of_json with default options (Spark's JSONOptions defaults). */
export const DEFAULT_READ: JsonReadOptions = { singleQuotes: true, controlChars: false, nonNumeric: true, leadingZeros: false };

/** Malformed JSON; Spark turns every such failure into null or a bad record. */
export class JsonMalformed extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at character ${offset}`);
  }
}

const MAX_DEPTH = 1000;
const MAX_NUMBER_LENGTH = 1000;

/** Token kinds of {@link JsonLexer} (Jackson's JsonToken). */
export const enum Tok {
  /** No more input (Jackson's null token). */
  End,
  StartObject,
  EndObject,
  StartArray,
  EndArray,
  FieldName,
  String,
  Int,
  Float,
  True,
  False,
  Null,
}

const enum Ctx {
  Root,
  Array,
  Object,
}

/**
 * A pull lexer with Jackson's streaming semantics: each `next()` reads exactly one token and
 * checks only what reading it needs, so text after the point where a caller stops is never
 * examined. `text` holds the value of the last String / FieldName / Int / Float token.
 */
export class JsonLexer {
  private i = 0;
  /** Context stack: kind and number of entries read so far in it. */
  private readonly kinds: Ctx[] = [Ctx.Root];
  private readonly counts: number[] = [0];
  /** Per context: the last field name read in it (objects), else null. */
  private readonly names: (string | null)[] = [null];
  /** In an object, true between a field name and its value. */
  private afterName = false;
  token: Tok = Tok.End;
  text = '';

  constructor(
    private readonly s: string,
    private readonly o: JsonReadOptions,
  ) {}

  private fail(reason: string): never {
    throw new JsonMalformed(reason, this.i);
  }

  private space(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.i++;
      else return;
    }
  }

  /** Reads the next token (Tok.End at the end of the input at the top level). */
  next(): Tok {
    this.space();
    const top = this.kinds.length - 1;
    const kind = this.kinds[top]!;
    const c = this.s.charCodeAt(this.i);
    if (kind === Ctx.Array) {
      if (c === 93) return this.close(Tok.EndArray);
      if (this.counts[top]! > 0) this.comma();
      this.counts[top]!++;
      return (this.token = this.value());
    }
    if (kind === Ctx.Object) {
      if (this.afterName) {
        if (c !== 58) this.fail("expected ':'");
        this.i++;
        this.space();
        this.afterName = false;
        return (this.token = this.value());
      }
      if (c === 125) return this.close(Tok.EndObject);
      if (this.counts[top]! > 0) this.comma();
      this.counts[top]!++;
      const q = this.s.charCodeAt(this.i);
      if (q === 34) this.text = this.string(34);
      else if (q === 39 && this.o.singleQuotes) this.text = this.string(39);
      else this.fail('expected a quoted field name');
      this.names[top] = this.text;
      this.afterName = true;
      return (this.token = Tok.FieldName);
    }
    if (this.i >= this.s.length) return (this.token = Tok.End);
    const t = this.value();
    if (this.kinds.length === 1 && (t === Tok.Int || (t === Tok.Float && /^-?\d/.test(this.text)))) {
      const n = this.s.charCodeAt(this.i);
      if (this.i < this.s.length && n !== 32 && n !== 9 && n !== 10 && n !== 13) this.fail('expected white space after a top-level number');
    }
    return (this.token = t);
  }

  /** After a Start token, skips to its matching End token; otherwise does nothing. */
  skipChildren(): void {
    if (this.token !== Tok.StartObject && this.token !== Tok.StartArray) return;
    let open = 1;
    while (open > 0) {
      const t = this.next();
      if (t === Tok.StartObject || t === Tok.StartArray) open++;
      else if (t === Tok.EndObject || t === Tok.EndArray) open--;
      else if (t === Tok.End) this.fail('unexpected end of input');
    }
  }

  private close(t: Tok): Tok {
    this.i++;
    this.kinds.pop();
    this.counts.pop();
    this.names.pop();
    return (this.token = t);
  }

  /**
   * Jackson's `getCurrentName()`: the field name a token belongs to. For a field name, that name;
   * for a value inside an object, the name it follows; for a start token, the name of the field
   * holding the new object or array; for an end token, the name in the enclosing context.
   */
  currentName(): string | null {
    const top = this.names.length - 1;
    if (this.token === Tok.StartObject || this.token === Tok.StartArray) return top > 0 ? this.names[top - 1]! : null;
    return this.names[top]!;
  }

  private comma(): void {
    if (this.s.charCodeAt(this.i) !== 44) this.fail(this.i >= this.s.length ? 'unexpected end of input' : "expected ','");
    this.i++;
    this.space();
  }

  private open(kind: Ctx, t: Tok): Tok {
    if (this.kinds.length > MAX_DEPTH) this.fail('nesting too deep');
    this.i++;
    this.kinds.push(kind);
    this.counts.push(0);
    this.names.push(null);
    return t;
  }

  private value(): Tok {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    switch (c) {
      case 123:
        return this.open(Ctx.Object, Tok.StartObject);
      case 91:
        return this.open(Ctx.Array, Tok.StartArray);
      case 34:
        this.text = this.string(34);
        return Tok.String;
      case 39:
        if (!this.o.singleQuotes) this.fail('single-quoted strings are not allowed');
        this.text = this.string(39);
        return Tok.String;
      case 116:
        this.word('true');
        return Tok.True;
      case 102:
        this.word('false');
        return Tok.False;
      case 110:
        this.word('null');
        return Tok.Null;
      case 78:
        return this.nonNumeric('NaN', 'NaN');
      case 73:
        return this.nonNumeric('Infinity', 'Infinity');
      case 43:
        if (s.startsWith('+INF', this.i) && !s.startsWith('+Infinity', this.i)) return this.nonNumeric('+INF', 'Infinity');
        return this.nonNumeric('+Infinity', 'Infinity');
      case 45:
        if (s.charCodeAt(this.i + 1) === 73) {
          if (s.startsWith('-INF', this.i) && !s.startsWith('-Infinity', this.i)) return this.nonNumeric('-INF', '-Infinity');
          return this.nonNumeric('-Infinity', '-Infinity');
        }
        return this.number();
      default:
        if (c >= 48 && c <= 57) return this.number();
        if (this.i >= s.length) this.fail('unexpected end of input');
        return this.fail(`unexpected character '${s[this.i]}'`);
    }
  }

  private nonNumeric(token: string, text: string): Tok {
    if (!this.s.startsWith(token, this.i)) this.fail('unrecognized token');
    if (!this.o.nonNumeric) this.fail(`non-numeric number ${token} is not allowed`);
    this.i += token.length;
    this.tokenEnd();
    this.text = text;
    return Tok.Float;
  }

  /** A keyword must not run on into identifier characters (`truex` is one bad token). */
  private word(w: string): void {
    if (!this.s.startsWith(w, this.i)) this.fail('unrecognized token');
    this.i += w.length;
    this.tokenEnd();
  }

  private tokenEnd(): void {
    const ch = this.s[this.i];
    if (ch !== undefined && /[\p{L}\p{N}_$]/u.test(ch)) this.fail('unrecognized token');
  }

  private number(): Tok {
    const s = this.s;
    const start = this.i;
    let float = false;
    if (s.charCodeAt(this.i) === 45) this.i++;
    const intStart = this.i;
    while (isDigit(s.charCodeAt(this.i))) this.i++;
    const intDigits = this.i - intStart;
    if (intDigits === 0) this.fail('expected a digit');
    if (intDigits > 1 && s.charCodeAt(intStart) === 48 && !this.o.leadingZeros) this.fail('leading zeros are not allowed');
    if (s.charCodeAt(this.i) === 46) {
      float = true;
      this.i++;
      const f = this.i;
      while (isDigit(s.charCodeAt(this.i))) this.i++;
      if (this.i === f) this.fail('a decimal point must be followed by a digit');
    }
    const e = s.charCodeAt(this.i);
    if (e === 101 || e === 69) {
      float = true;
      this.i++;
      const sign = s.charCodeAt(this.i);
      if (sign === 43 || sign === 45) this.i++;
      const f = this.i;
      while (isDigit(s.charCodeAt(this.i))) this.i++;
      if (this.i === f) this.fail('an exponent must have digits');
    }
    if (this.i - start > MAX_NUMBER_LENGTH) this.fail('number too long');
    const text = s.slice(start, this.i);
    this.text = this.o.leadingZeros && !float ? stripLeadingZeros(text) : text;
    return float ? Tok.Float : Tok.Int;
  }

  private string(quote: number): string {
    const s = this.s;
    this.i++;
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(this.i);
      if (c === quote) {
        out += s.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c === 92) {
        out += s.slice(run, this.i);
        out += this.escape();
        run = this.i;
        continue;
      }
      if (c < 32 && !this.o.controlChars) this.fail('unescaped control character in a string');
      this.i++;
    }
  }

  private escape(): string {
    const s = this.s;
    const c = s[this.i + 1];
    this.i += 2;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        return c;
      case "'":
        if (this.o.singleQuotes) return c;
        break;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = s.slice(this.i, this.i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        this.i += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
    }
    this.i -= 2;
    return this.fail('unrecognized escape');
  }
}

/**
 * The first JSON value of `text`, or undefined when the text holds only white space.
 * Throws {@link JsonMalformed} when that value is not well formed.
 */
export function readJson(text: string, options: JsonReadOptions): JsonNode | undefined {
  const lx = new JsonLexer(text, options);
  const t = lx.next();
  return t === Tok.End ? undefined : nodeAt(lx, t);
}

/** The value starting at the current token `t` (reads through its end). */
export function nodeAt(lx: JsonLexer, t: Tok): JsonNode {
  switch (t) {
    case Tok.StartObject: {
      const keys: string[] = [];
      const vals: JsonNode[] = [];
      while (lx.next() !== Tok.EndObject) {
        keys.push(lx.text);
        vals.push(nodeAt(lx, lx.next()));
      }
      return { t: 'obj', keys, vals };
    }
    case Tok.StartArray: {
      const items: JsonNode[] = [];
      for (let x = lx.next(); x !== Tok.EndArray; x = lx.next()) items.push(nodeAt(lx, x));
      return { t: 'arr', items };
    }
    case Tok.String:
      return { t: 'str', v: lx.text };
    case Tok.Int:
      return { t: 'int', text: lx.text };
    case Tok.Float:
      return { t: 'float', text: lx.text };
    case Tok.True:
      return TRUE;
    case Tok.False:
      return FALSE;
    case Tok.Null:
      return NULL;
    default:
      throw new JsonMalformed('unexpected token', 0);
  }
}

const TRUE: JsonNode = { t: 'bool', v: true };
const FALSE: JsonNode = { t: 'bool', v: false };
const NULL: JsonNode = { t: 'null' };

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function stripLeadingZeros(text: string): string {
  const neg = text.startsWith('-');
  const digits = (neg ? text.slice(1) : text).replace(/^0+(?=\d)/, '');
  return neg ? '-' + digits : digits;
}

// ---- writing ------------------------------------------------------------------------------------

const HEX = '0123456789ABCDEF';

/** A JSON string literal as Jackson writes it: `"` `\` and control characters escaped, nothing else. */
export function quoteJson(s: string): string {
  let out = '"';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c !== 34 && c !== 92) continue;
    out += s.slice(run, i);
    run = i + 1;
    switch (c) {
      case 34:
        out += '\\"';
        break;
      case 92:
        out += '\\\\';
        break;
      case 8:
        out += '\\b';
        break;
      case 9:
        out += '\\t';
        break;
      case 10:
        out += '\\n';
        break;
      case 12:
        out += '\\f';
        break;
      case 13:
        out += '\\r';
        break;
      default:
        out += '\\u00' + HEX[c >> 4]! + HEX[c & 15]!;
    }
  }
  return out + s.slice(run) + '"';
}

/**
 * A double as Jackson writes it: Java's `Double.toString`, with NaN and the infinities as quoted
 * strings (Jackson's default QUOTE_NON_NUMERIC_NUMBERS).
 */
export function jsonDouble(d: number, isFloat = false): string {
  const s = javaFloatingString(d, isFloat);
  return Number.isFinite(d) ? s : `"${s}"`;
}

/** An integer token as Jackson copies it: its value in canonical form (`-0` is `0`). */
export function canonicalInt(text: string): string {
  const neg = text.charCodeAt(0) === 45;
  if (text.charCodeAt(neg ? 1 : 0) !== 48) return text;
  return BigInt(text).toString();
}

/** The value of a float token as a double (`Number` of the text; the non-numeric tokens mapped). */
export function floatValue(text: string): number {
  return Number(text);
}

/**
 * Compact JSON text of a parsed value as Jackson's `copyCurrentStructure` writes it: integers
 * canonical and exact, other numbers through a double (`1.50` → `1.5`, `1e2` → `100.0`), strings
 * re-escaped, duplicate keys kept.
 */
export function writeJson(node: JsonNode): string {
  switch (node.t) {
    case 'str':
      return quoteJson(node.v);
    case 'int':
      return canonicalInt(node.text);
    case 'float':
      return jsonDouble(floatValue(node.text));
    case 'bool':
      return node.v ? 'true' : 'false';
    case 'null':
      return 'null';
    case 'arr': {
      let out = '[';
      for (let k = 0; k < node.items.length; k++) out += (k ? ',' : '') + writeJson(node.items[k]!);
      return out + ']';
    }
    case 'obj': {
      let out = '{';
      for (let k = 0; k < node.keys.length; k++) out += (k ? ',' : '') + quoteJson(node.keys[k]!) + ':' + writeJson(node.vals[k]!);
      return out + '}';
    }
  }
}
