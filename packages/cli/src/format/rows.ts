/**
 * Row output formats for `cat`: JSON lines, CSV and an aligned text table. A formatter turns
 * ranges of record-batch rows into text; callers write each piece as it comes, so memory stays
 * bounded by one piece (the table format holds one page of rows to size its columns).
 */
import * as arrow from 'apache-arrow';
import { compileEncoder, type ValueEncoder } from './arrow-values.js';

export type RowFormat = 'jsonl' | 'csv' | 'table';
export const ROW_FORMATS: readonly RowFormat[] = ['jsonl', 'csv', 'table'];

export interface RowFormatter {
  /** Text for rows `[start, end)` of `batch` (may be empty while the formatter buffers). */
  rows(batch: arrow.RecordBatch, start: number, end: number): string;
  /** Text after the last row. `schema` names the columns when no batch was seen. */
  finish(schema: arrow.Schema): string;
}

/** Creates the formatter for `format`. */
export function createRowFormatter(format: RowFormat, options: TableOptions = {}): RowFormatter {
  switch (format) {
    case 'jsonl':
      return new JsonLinesFormatter();
    case 'csv':
      return new CsvFormatter();
    case 'table':
      return new TableFormatter(options);
  }
}

/** Encoders of a batch's columns, compiled once per batch. */
class BatchEncoders {
  private batch: arrow.RecordBatch | undefined;
  encoders: ValueEncoder[] = [];

  for(batch: arrow.RecordBatch): ValueEncoder[] {
    if (batch !== this.batch) {
      this.batch = batch;
      this.encoders = batch.data.children.map((c) => compileEncoder(c));
    }
    return this.encoders;
  }
}

/** One JSON object per line, columns in schema order. */
class JsonLinesFormatter implements RowFormatter {
  private readonly cache = new BatchEncoders();
  private keysFor: arrow.Schema | undefined;
  private keys: string[] = [];

  rows(batch: arrow.RecordBatch, start: number, end: number): string {
    const encoders = this.cache.for(batch);
    if (batch.schema !== this.keysFor) {
      this.keysFor = batch.schema;
      this.keys = batch.schema.fields.map((f, k) => `${k === 0 ? '{' : ','}${JSON.stringify(f.name)}:`);
    }
    const keys = this.keys;
    const n = encoders.length;
    let out = '';
    for (let i = start; i < end; i++) {
      if (n === 0) out += '{';
      for (let k = 0; k < n; k++) out += (keys[k] as string) + (encoders[k] as ValueEncoder).json(i);
      out += '}\n';
    }
    return out;
  }

  finish(): string {
    return '';
  }
}

/** A CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF; null is empty. */
export function csvField(text: string | null): string {
  if (text === null) return '';
  // The empty string is quoted so it stays distinct from null.
  if (text === '' || /[",\r\n]/.test(text)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** CSV with a header row; nested values as their JSON text; lines end with `\n`. */
class CsvFormatter implements RowFormatter {
  private readonly cache = new BatchEncoders();
  private headerDone = false;

  private header(schema: arrow.Schema): string {
    if (this.headerDone) return '';
    this.headerDone = true;
    return `${schema.fields.map((f) => csvField(f.name)).join(',')}\n`;
  }

  rows(batch: arrow.RecordBatch, start: number, end: number): string {
    const encoders = this.cache.for(batch);
    let out = this.header(batch.schema);
    for (let i = start; i < end; i++) {
      for (let k = 0; k < encoders.length; k++) out += (k === 0 ? '' : ',') + csvField((encoders[k] as ValueEncoder).text(i));
      out += '\n';
    }
    return out;
  }

  finish(schema: arrow.Schema): string {
    return this.header(schema);
  }
}

export interface TableOptions {
  /** Rows read before column widths are fixed (later rows are padded or cut to them). */
  pageRows?: number;
  /** Widest a column gets; longer cells end in `…`. */
  maxWidth?: number;
}

const NUMERIC = new Set([arrow.Type.Int, arrow.Type.Float, arrow.Type.Decimal]);

/**
 * An aligned text table: header, rule, one line per row; numbers right-aligned, nulls as `NULL`,
 * control characters escaped. Widths come from the header and the first page of rows.
 */
class TableFormatter implements RowFormatter {
  private readonly cache = new BatchEncoders();
  private readonly pageRows: number;
  private readonly maxWidth: number;
  private page: string[][] = [];
  private schema: arrow.Schema | undefined;
  private widths: number[] | undefined;
  private rightAlign: boolean[] = [];

  constructor(options: TableOptions) {
    this.pageRows = options.pageRows ?? 1000;
    this.maxWidth = options.maxWidth ?? 40;
  }

  rows(batch: arrow.RecordBatch, start: number, end: number): string {
    const encoders = this.cache.for(batch);
    this.schema ??= batch.schema;
    let out = '';
    for (let i = start; i < end; i++) {
      const cells = encoders.map((e) => displayCell(e.text(i)));
      if (this.widths) out += this.line(cells);
      else {
        this.page.push(cells);
        if (this.page.length >= this.pageRows) out += this.flushPage();
      }
    }
    return out;
  }

  finish(schema: arrow.Schema): string {
    this.schema ??= schema;
    return this.widths ? '' : this.flushPage();
  }

  private flushPage(): string {
    const fields = (this.schema as arrow.Schema).fields;
    const names = fields.map((f) => displayCell(f.name));
    const widths = names.map((n) => Math.min(this.maxWidth, Math.max(1, n.length)));
    for (const row of this.page) row.forEach((c, k) => (widths[k] = Math.min(this.maxWidth, Math.max(widths[k] ?? 0, c.length))));
    this.widths = widths;
    this.rightAlign = fields.map((f) => NUMERIC.has(f.type.typeId));
    let out = `${names.map((n, k) => fit(n, widths[k] as number, false)).join(' | ')}\n`;
    out += `${widths.map((w) => '-'.repeat(w)).join('-+-')}\n`;
    for (const row of this.page) out += this.line(row);
    this.page = [];
    return out;
  }

  private line(cells: string[]): string {
    const widths = this.widths as number[];
    return `${cells.map((c, k) => fit(c, widths[k] as number, this.rightAlign[k] === true)).join(' | ')}\n`;
  }
}

/** Cell text for a terminal: `NULL` for null, control characters escaped. */
function displayCell(text: string | null): string {
  if (text === null) return 'NULL';
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text) ? text.replace(/[\u0000-\u001f\u007f]/g, escapeControl) : text;
}

function escapeControl(ch: string): string {
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
}

function fit(text: string, width: number, right: boolean): string {
  if (text.length > width) return `${text.slice(0, width - 1)}…`;
  return right ? text.padStart(width) : text.padEnd(width);
}
