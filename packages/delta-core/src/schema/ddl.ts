/**
 * Table schemas written as Spark SQL DDL column lists
 * (`id BIGINT NOT NULL, amount DECIMAL(10,2), tags ARRAY<STRING> COMMENT 'labels'`), and a
 * front door that also takes the protocol's JSON schema text. Pure: no I/O.
 */
import { DeltaError } from '../errors.js';
import { MAX_DECIMAL_PRECISION, parseSchemaString } from './json.js';
import type { DataType, PrimitiveTypeName, StructField, StructType } from './types.js';

/** Spark type names (upper-cased) and their aliases → Delta primitive names. */
const PRIMITIVES: Readonly<Record<string, PrimitiveTypeName>> = {
  BIGINT: 'long',
  LONG: 'long',
  INT: 'integer',
  INTEGER: 'integer',
  SMALLINT: 'short',
  SHORT: 'short',
  TINYINT: 'byte',
  BYTE: 'byte',
  FLOAT: 'float',
  REAL: 'float',
  DOUBLE: 'double',
  BOOLEAN: 'boolean',
  BOOL: 'boolean',
  BINARY: 'binary',
  STRING: 'string',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  TIMESTAMP_LTZ: 'timestamp',
  TIMESTAMP_NTZ: 'timestamp_ntz',
  VARIANT: 'variant',
};

const DECIMAL_NAMES = new Set(['DECIMAL', 'DEC', 'NUMERIC']);
/** Character types whose length is checked for syntax and then dropped: Delta stores them as string. */
const CHAR_NAMES = new Set(['VARCHAR', 'CHAR', 'CHARACTER']);

/**
 * Parses a Spark DDL column list into a Delta schema. Type names are case-insensitive and take
 * Spark's aliases (BIGINT/LONG, INT/INTEGER, SMALLINT/SHORT, TINYINT/BYTE, FLOAT/REAL, DOUBLE,
 * BOOLEAN, BINARY, STRING/VARCHAR(n)/CHAR(n), DATE, TIMESTAMP, TIMESTAMP_NTZ,
 * DECIMAL(p,s)/DEC/NUMERIC — DECIMAL alone is decimal(10,0) as in Spark — VARIANT, ARRAY<t>,
 * MAP<k,v>, STRUCT<name[:] t, ...>). Names may be back-quoted (`` `odd name` ``, with ``` `` ```
 * for a back-quote). `NOT NULL` makes a field non-nullable; `COMMENT 'text'` goes to the field's
 * metadata as `comment`. Array elements and map values are nullable.
 * Throws PARSE_ERROR naming the character position of the problem.
 */
export function parseDdlSchema(text: string): StructType {
  const p = new DdlParser(text);
  const fields = p.fieldList((t) => t.kind === 'eof');
  p.expectEnd();
  if (fields.length === 0) throw p.error(0, 'the schema has no columns');
  return { kind: 'struct', fields };
}

/** Where ALTER TABLE ADD COLUMNS places a column: first in its struct, or after a sibling. */
export type DdlColumnPosition = { readonly first: true } | { readonly after: string };

/** One column of an ADD COLUMNS list: its path (parent struct names, then its own name), field and position. */
export interface DdlColumnSpec {
  /** Name parts: the parents it is added into, then the new column's name (`s.d` → `['s', 'd']`). */
  readonly path: readonly string[];
  /** The new field, named by the last path part. */
  readonly field: StructField;
  readonly position?: DdlColumnPosition;
}

/**
 * Parses the column list of Spark's `ALTER TABLE ... ADD COLUMNS (...)`: like
 * {@link parseDdlSchema}, but a name may be a dotted path into a struct (`s.d STRING`, parts
 * back-quoted as needed) and each column may end with a position, `FIRST` or `AFTER name`, in any
 * order with `NOT NULL` and `COMMENT '...'`. Duplicates are not checked here (the schema decides).
 * Throws PARSE_ERROR naming the character position of the problem.
 */
export function parseDdlColumnSpecs(text: string): DdlColumnSpec[] {
  const p = new DdlParser(text, { dottedNames: true });
  const specs = p.columnSpecs();
  p.expectEnd("',' or the end of the column list");
  return specs;
}

/**
 * Parses one Spark SQL data type (`BIGINT`, `DECIMAL(10,2)`, `ARRAY<STRUCT<a: INT>>`, the same
 * names and aliases as {@link parseDdlSchema}); the whole text must be the type.
 * Throws PARSE_ERROR naming the character position of the problem.
 */
export function parseDdlType(text: string): DataType {
  const p = new DdlParser(text);
  const type = p.dataType();
  p.expectEnd('the end of the type');
  return type;
}

/**
 * Parses the data type that starts at offset `start` of `text` and returns it with the offset just
 * past it, for grammars that embed types (`CAST(x AS DECIMAL(10,2))`, `x::INT`). Text after the
 * type is not examined beyond one token. `error` builds the exception for a problem at an offset
 * (default: the schema parser's PARSE_ERROR).
 */
export function parseDdlTypeAt(
  text: string,
  start: number,
  options: { readonly error?: (pos: number, problem: string) => DeltaError } = {},
): { type: DataType; end: number } {
  const p = new DdlParser(text, { start, embedded: true, ...(options.error ? { error: options.error } : {}) });
  const type = p.dataType();
  return { type, end: p.consumedEnd };
}

/**
 * A schema given on a command line or in a config: Delta schema JSON (text starting with `{`,
 * e.g. `{"type":"struct","fields":[...]}`) or a Spark DDL column list (see {@link parseDdlSchema}).
 * Throws INVALID_SCHEMA for bad JSON schemas and PARSE_ERROR for bad DDL.
 */
export function parseSchemaArgument(text: string): StructType {
  return text.trimStart().startsWith('{') ? parseSchemaString(text) : parseDdlSchema(text);
}

type Token =
  | { kind: 'word'; text: string; pos: number; end: number; quoted: boolean }
  | { kind: 'number'; text: string; pos: number; end: number }
  | { kind: 'string'; text: string; pos: number; end: number }
  | { kind: 'punct'; text: string; pos: number; end: number }
  | { kind: 'eof'; pos: number; end: number };

/** Nesting deeper than this (ARRAY<ARRAY<…>>) is refused instead of exhausting the stack. */
const MAX_TYPE_NESTING = 500;

interface DdlParserOptions {
  /** Offset where parsing starts. */
  readonly start?: number;
  /** Embedded in a larger text: a character outside the DDL alphabet ends the type instead of failing. */
  readonly embedded?: boolean;
  readonly error?: (pos: number, problem: string) => DeltaError;
  /** Lex `.` as punctuation, for dotted column paths (ADD COLUMNS). */
  readonly dottedNames?: boolean;
}

class DdlParser {
  /** Tokens lexed so far (on demand, so an embedded type never lexes the text after it). */
  private readonly tokens: Token[] = [];
  private i = 0;
  private cursor: number;
  private depth = 0;
  /** End offset of the last consumed token. */
  consumedEnd: number;

  constructor(
    private readonly text: string,
    private readonly options: DdlParserOptions = {},
  ) {
    this.cursor = options.start ?? 0;
    this.consumedEnd = this.cursor;
  }

  /** Fields separated by commas until `atEnd` holds for the next token (not consumed). */
  fieldList(atEnd: (t: Token) => boolean, nested = false): StructField[] {
    const fields: StructField[] = [];
    const seen = new Map<string, string>();
    if (atEnd(this.peek())) return fields;
    for (;;) {
      const nameTok = this.peek();
      const f = this.fieldDef(nested);
      const key = f.name.toLowerCase();
      const previous = seen.get(key);
      if (previous !== undefined) throw this.error(nameTok.pos, `column "${f.name}" is defined twice (names are case-insensitive; "${previous}" came first)`);
      seen.set(key, f.name);
      fields.push(f);
      if (!this.acceptPunct(',')) return fields;
    }
  }

  private fieldDef(nested: boolean): StructField {
    const nameTok = this.next();
    if (nameTok.kind !== 'word') throw this.error(nameTok.pos, `expected a column name, found ${this.describe(nameTok)}`);
    if (nested) this.acceptPunct(':');
    const type = this.dataType();
    const { nullable, metadata } = this.columnOptions(false);
    return { name: nameTok.text, type, nullable, metadata };
  }

  /** `path type [NOT NULL] [COMMENT '...'] [FIRST | AFTER name]`, comma-separated (ADD COLUMNS). */
  columnSpecs(): DdlColumnSpec[] {
    const specs: DdlColumnSpec[] = [];
    for (;;) {
      const path = [this.columnName()];
      while (this.acceptPunct('.')) path.push(this.columnName());
      const type = this.dataType();
      const { nullable, metadata, position } = this.columnOptions(true);
      const field: StructField = { name: path[path.length - 1]!, type, nullable, metadata };
      specs.push(position === undefined ? { path, field } : { path, field, position });
      if (!this.acceptPunct(',')) return specs;
    }
  }

  private columnName(): string {
    const t = this.next();
    if (t.kind !== 'word') throw this.error(t.pos, `expected a column name, found ${this.describe(t)}`);
    return t.text;
  }

  /** The options after a column's type, in any order; a position only when `withPosition`. */
  private columnOptions(withPosition: boolean): { nullable: boolean; metadata: Record<string, unknown>; position?: DdlColumnPosition } {
    let nullable = true;
    const metadata: Record<string, unknown> = {};
    let position: DdlColumnPosition | undefined;
    for (;;) {
      const t = this.peek();
      if (isKeyword(t, 'NOT')) {
        this.next();
        const n = this.next();
        if (!isKeyword(n, 'NULL')) throw this.error(n.pos, `expected NULL after NOT, found ${this.describe(n)}`);
        nullable = false;
      } else if (isKeyword(t, 'COMMENT')) {
        this.next();
        const c = this.next();
        if (c.kind !== 'string') throw this.error(c.pos, `expected a quoted comment after COMMENT, found ${this.describe(c)}`);
        metadata['comment'] = c.text;
      } else if (withPosition && position === undefined && isKeyword(t, 'FIRST')) {
        this.next();
        position = { first: true };
      } else if (withPosition && position === undefined && isKeyword(t, 'AFTER')) {
        this.next();
        position = { after: this.columnName() };
      } else break;
    }
    return position === undefined ? { nullable, metadata } : { nullable, metadata, position };
  }

  dataType(): DataType {
    if (++this.depth > MAX_TYPE_NESTING) throw this.error(this.peek().pos, `the type nests deeper than ${MAX_TYPE_NESTING} levels`);
    const type = this.dataTypeBody();
    this.depth--;
    return type;
  }

  private dataTypeBody(): DataType {
    const t = this.next();
    if (t.kind !== 'word' || t.quoted) throw this.error(t.pos, `expected a data type, found ${this.describe(t)}`);
    const name = t.text.toUpperCase();
    if (name === 'ARRAY') {
      this.expectPunct('<', 'after ARRAY');
      const elementType = this.dataType();
      this.expectPunct('>', 'to close ARRAY<');
      return { kind: 'array', elementType, containsNull: true };
    }
    if (name === 'MAP') {
      this.expectPunct('<', 'after MAP');
      const keyType = this.dataType();
      this.expectPunct(',', 'between the MAP key and value types');
      const valueType = this.dataType();
      this.expectPunct('>', 'to close MAP<');
      return { kind: 'map', keyType, valueType, valueContainsNull: true };
    }
    if (name === 'STRUCT') {
      this.expectPunct('<', 'after STRUCT');
      const fields = this.fieldList((x) => x.kind === 'punct' && x.text === '>', true);
      this.expectPunct('>', 'to close STRUCT<');
      return { kind: 'struct', fields };
    }
    if (DECIMAL_NAMES.has(name)) return this.decimalArgs(t.pos);
    if (CHAR_NAMES.has(name)) {
      this.expectPunct('(', `after ${name} (give a length, e.g. ${name}(20))`);
      this.integer('length');
      this.expectPunct(')', `to close ${name}(`);
      return { kind: 'primitive', name: 'string' };
    }
    const primitive = PRIMITIVES[name];
    if (primitive === undefined) {
      throw this.error(t.pos, `unknown data type "${t.text}"; use BIGINT, INT, SMALLINT, TINYINT, FLOAT, DOUBLE, BOOLEAN, BINARY, STRING, DATE, TIMESTAMP, TIMESTAMP_NTZ, DECIMAL(p,s), VARIANT, ARRAY<t>, MAP<k,v> or STRUCT<...>`);
    }
    return { kind: 'primitive', name: primitive };
  }

  private decimalArgs(pos: number): DataType {
    let precision = 10;
    let scale = 0;
    if (this.acceptPunct('(')) {
      precision = this.integer('precision');
      if (this.acceptPunct(',')) scale = this.integer('scale');
      this.expectPunct(')', 'to close DECIMAL(');
    }
    if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale > precision) {
      throw this.error(pos, `DECIMAL(${precision},${scale}) is out of range: precision must be 1..${MAX_DECIMAL_PRECISION} and scale 0..precision`);
    }
    return { kind: 'decimal', precision, scale };
  }

  private integer(what: string): number {
    const t = this.next();
    if (t.kind !== 'number') throw this.error(t.pos, `expected the ${what} (an integer), found ${this.describe(t)}`);
    return Number(t.text);
  }

  expectEnd(what = "',' or the end of the schema"): void {
    const t = this.peek();
    if (t.kind !== 'eof') throw this.error(t.pos, `expected ${what}, found ${this.describe(t)}`);
  }

  private peek(): Token {
    if (this.i === this.tokens.length) this.tokens.push(this.lex());
    return this.tokens[this.i]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') {
      this.i++;
      this.consumedEnd = t.end;
    }
    return t;
  }

  /** The token at the cursor. Embedded, an unknown character is a one-character punct token. */
  private lex(): Token {
    const text = this.text;
    while (this.cursor < text.length && /\s/.test(text[this.cursor]!)) this.cursor++;
    const i = this.cursor;
    if (i >= text.length) return { kind: 'eof', pos: text.length, end: text.length };
    const c = text[i]!;
    let t: Token;
    if (/[A-Za-z_]/.test(c)) {
      WORD.lastIndex = i;
      const m = WORD.exec(text)!;
      t = { kind: 'word', text: m[0], pos: i, end: i + m[0].length, quoted: false };
    } else if (/[0-9]/.test(c)) {
      DIGITS.lastIndex = i;
      const m = DIGITS.exec(text)!;
      t = { kind: 'number', text: m[0], pos: i, end: i + m[0].length };
    } else if (c === '`') {
      const [value, end] = readQuoted(text, i, '`', false, (pos, why) => this.error(pos, why));
      if (value === '') throw this.error(i, 'a quoted column name is empty');
      t = { kind: 'word', text: value, pos: i, end, quoted: true };
    } else if (c === "'" || c === '"') {
      const [value, end] = readQuoted(text, i, c, true, (pos, why) => this.error(pos, why));
      t = { kind: 'string', text: value, pos: i, end };
    } else if ('<>(),:'.includes(c) || (c === '.' && this.options.dottedNames) || this.options.embedded) {
      t = { kind: 'punct', text: c, pos: i, end: i + 1 };
    } else {
      throw this.error(i, `unexpected character '${c}'`);
    }
    this.cursor = t.end;
    return t;
  }

  private acceptPunct(p: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === p) {
      this.next();
      return true;
    }
    return false;
  }

  private expectPunct(p: string, why: string): void {
    const t = this.peek();
    if (!this.acceptPunct(p)) throw this.error(t.pos, `expected '${p}' ${why}, found ${this.describe(t)}`);
  }

  private describe(t: Token): string {
    return t.kind === 'eof' && this.options.embedded ? 'the end of the input' : describe(t);
  }

  error(pos: number, problem: string): DeltaError {
    if (this.options.error) return this.options.error(pos, problem);
    return new DeltaError('PARSE_ERROR', `Cannot parse the schema at character ${pos + 1}: ${problem}. Near: ${excerpt(this.text, pos)}. Write columns as \`name TYPE [NOT NULL] [COMMENT '...']\` separated by commas, or give Delta schema JSON.`, {
      details: { position: pos },
    });
  }
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const DIGITS = /[0-9]+/y;

/** Reads a quoted run starting at `start`; doubling the quote escapes it, and `\` escapes in strings. */
function readQuoted(text: string, start: number, quote: string, backslash: boolean, error: (pos: number, why: string) => DeltaError): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (backslash && c === '\\' && i + 1 < text.length) {
      const n = text[i + 1]!;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
      i += 2;
    } else if (c === quote) {
      if (text[i + 1] === quote) {
        out += quote;
        i += 2;
      } else return [out, i + 1];
    } else {
      out += c;
      i++;
    }
  }
  throw error(start, `the ${quote === '`' ? 'quoted name' : 'string'} starting here is not closed with ${quote}`);
}

function isKeyword(t: Token, word: string): boolean {
  return t.kind === 'word' && !t.quoted && t.text.toUpperCase() === word;
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the schema';
    case 'string':
      return `the string '${t.text}'`;
    case 'word':
      return t.quoted ? `\`${t.text}\`` : `"${t.text}"`;
    default:
      return `'${t.text}'`;
  }
}

function excerpt(text: string, pos: number): string {
  const from = Math.max(0, pos - 15);
  const shown = text.slice(from, pos + 15).replace(/\s+/g, ' ');
  return `"${from > 0 ? '…' : ''}${shown}${pos + 15 < text.length ? '…' : ''}"`;
}
