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
const CHAR_NAMES = new Set(['VARCHAR', 'CHAR']);

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

/**
 * A schema given on a command line or in a config: Delta schema JSON (text starting with `{`,
 * e.g. `{"type":"struct","fields":[...]}`) or a Spark DDL column list (see {@link parseDdlSchema}).
 * Throws INVALID_SCHEMA for bad JSON schemas and PARSE_ERROR for bad DDL.
 */
export function parseSchemaArgument(text: string): StructType {
  return text.trimStart().startsWith('{') ? parseSchemaString(text) : parseDdlSchema(text);
}

type Token =
  | { kind: 'word'; text: string; pos: number; quoted: boolean }
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'punct'; text: string; pos: number }
  | { kind: 'eof'; pos: number };

class DdlParser {
  private readonly tokens: Token[];
  private i = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text, (pos, why) => this.error(pos, why));
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
    if (nameTok.kind !== 'word') throw this.error(nameTok.pos, `expected a column name, found ${describe(nameTok)}`);
    if (nested) this.acceptPunct(':');
    const type = this.dataType();
    let nullable = true;
    const metadata: Record<string, unknown> = {};
    for (;;) {
      const t = this.peek();
      if (isKeyword(t, 'NOT')) {
        this.next();
        const n = this.next();
        if (!isKeyword(n, 'NULL')) throw this.error(n.pos, `expected NULL after NOT, found ${describe(n)}`);
        nullable = false;
      } else if (isKeyword(t, 'COMMENT')) {
        this.next();
        const c = this.next();
        if (c.kind !== 'string') throw this.error(c.pos, `expected a quoted comment after COMMENT, found ${describe(c)}`);
        metadata['comment'] = c.text;
      } else break;
    }
    return { name: nameTok.text, type, nullable, metadata };
  }

  private dataType(): DataType {
    const t = this.next();
    if (t.kind !== 'word' || t.quoted) throw this.error(t.pos, `expected a data type, found ${describe(t)}`);
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
    if (t.kind !== 'number') throw this.error(t.pos, `expected the ${what} (an integer), found ${describe(t)}`);
    return Number(t.text);
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'eof') throw this.error(t.pos, `expected ',' or the end of the schema, found ${describe(t)}`);
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private acceptPunct(p: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === p) {
      this.i++;
      return true;
    }
    return false;
  }

  private expectPunct(p: string, why: string): void {
    const t = this.peek();
    if (!this.acceptPunct(p)) throw this.error(t.pos, `expected '${p}' ${why}, found ${describe(t)}`);
  }

  error(pos: number, problem: string): DeltaError {
    return new DeltaError('PARSE_ERROR', `Cannot parse the schema at character ${pos + 1}: ${problem}. Near: ${excerpt(this.text, pos)}. Write columns as \`name TYPE [NOT NULL] [COMMENT '...']\` separated by commas, or give Delta schema JSON.`, {
      details: { position: pos },
    });
  }
}

function tokenize(text: string, error: (pos: number, why: string) => DeltaError): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: m[0], pos: i, quoted: false });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+/.exec(text.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], pos: i });
      i += m[0].length;
    } else if (c === '`') {
      const [value, end] = readQuoted(text, i, '`', false, error);
      if (value === '') throw error(i, 'a quoted column name is empty');
      tokens.push({ kind: 'word', text: value, pos: i, quoted: true });
      i = end;
    } else if (c === "'" || c === '"') {
      const [value, end] = readQuoted(text, i, c, true, error);
      tokens.push({ kind: 'string', text: value, pos: i });
      i = end;
    } else if ('<>(),:'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, pos: i });
      i++;
    } else {
      throw error(i, `unexpected character '${c}'`);
    }
  }
  tokens.push({ kind: 'eof', pos: text.length });
  return tokens;
}

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
