/**
 * Name resolution for SQL queries. A {@link Scope} lists the columns a clause can name: each
 * with the relation alias that qualifies it (`t.id`), its name as the query sees it, and the
 * (unique) name of the column in the DataFrame being built. References resolve as Spark resolves
 * them: `a.b` is first column `b` of the relation aliased `a`, else field `b` of column `a`; an
 * unqualified name that more than one relation has is AMBIGUOUS_REFERENCE; an unknown name is
 * COLUMN_NOT_FOUND. Errors point into the statement text with a caret.
 */
import { DeltaError, mapChildren, type DataType, type DeltaErrorCode, type Expr, type Span } from '@deltakit/core';

export interface ScopeColumn {
  /** Index of the FROM relation the column comes from. */
  readonly leaf: number;
  /** The relation's alias (`t` in `delta.\`/p\` t`), when it has one. */
  readonly qualifier: string | undefined;
  /** The column's name as the query sees it. */
  readonly name: string;
  /** The column's name in the DataFrame the clause runs over (unique there). */
  readonly internal: string;
  readonly type: DataType;
}

export type Resolution = { readonly column: ScopeColumn; readonly fields: readonly string[] } | { readonly ambiguous: readonly ScopeColumn[] } | undefined;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class Scope {
  constructor(
    readonly columns: readonly ScopeColumn[],
    /** The statement text, for carets. */
    readonly source: string,
  ) {}

  /** What a column path names here, without throwing. */
  tryResolve(path: readonly string[]): Resolution {
    if (path.length >= 2) {
      const q = distinct(this.columns.filter((c) => c.qualifier !== undefined && same(c.qualifier, path[0]!) && same(c.name, path[1]!)));
      if (q.length === 1) return { column: q[0]!, fields: path.slice(2) };
      if (q.length > 1) return { ambiguous: q };
    }
    const byName = distinct(this.columns.filter((c) => same(c.name, path[0]!)));
    if (byName.length === 1) return { column: byName[0]!, fields: path.slice(1) };
    if (byName.length > 1) return { ambiguous: byName };
    return undefined;
  }

  /** The column a reference names, or a typed error with a caret under it. */
  resolve(path: readonly string[], span: Span | undefined): { column: ScopeColumn; fields: readonly string[] } {
    const r = this.tryResolve(path);
    const written = path.map(quoteIfNeeded).join('.');
    if (r === undefined) {
      const available = this.columns.map(display).join(', ');
      throw sqlError('COLUMN_NOT_FOUND', `Column ${written} does not exist${available === '' ? '' : `; the columns here are ${available}`}`, span, this.source, { column: written });
    }
    if ('ambiguous' in r) {
      throw sqlError('AMBIGUOUS_REFERENCE', `Column ${written} is ambiguous: it could be ${r.ambiguous.map(display).join(' or ')}. Qualify it with the table alias`, span, this.source, { column: written });
    }
    return r;
  }

  /** `e` with every column reference replaced by the column's internal name (nested fields kept). */
  rewrite(e: Expr): Expr {
    const walk = (x: Expr): Expr => {
      if (x.kind !== 'column') return mapChildren(x, walk);
      const { column, fields } = this.resolve(x.path, x.span);
      let out: Expr = { kind: 'column', path: [column.internal], ...(x.span ? { span: x.span } : {}) };
      for (const f of fields) out = { kind: 'field', arg: out, name: f, ...(x.span ? { span: x.span } : {}) };
      return out;
    };
    return walk(e);
  }

  /** The columns of one relation (by alias), for `t.*`. */
  ofQualifier(qualifier: string, span: Span): ScopeColumn[] {
    const cols = this.columns.filter((c) => c.qualifier !== undefined && same(c.qualifier, qualifier));
    if (cols.length === 0) {
      const aliases = [...new Set(this.columns.flatMap((c) => (c.qualifier === undefined ? [] : [c.qualifier])))];
      throw sqlError('COLUMN_NOT_FOUND', `There is no table aliased ${qualifier} for ${qualifier}.*${aliases.length > 0 ? `; the aliases are ${aliases.join(', ')}` : ''}`, span, this.source, { column: `${qualifier}.*` });
    }
    return cols;
  }
}

/** Columns that are the same DataFrame column (a USING column seen from both sides) count once. */
function distinct(cols: readonly ScopeColumn[]): ScopeColumn[] {
  const seen = new Set<string>();
  return cols.filter((c) => !seen.has(c.internal) && (seen.add(c.internal), true));
}

const display = (c: ScopeColumn) => (c.qualifier === undefined ? quoteIfNeeded(c.name) : `${quoteIfNeeded(c.qualifier)}.${quoteIfNeeded(c.name)}`);
const quoteIfNeeded = (n: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(n) ? n : '`' + n.replace(/`/g, '``') + '`');

/** A typed error about part of the statement: the message, then the text with a caret under `span`. */
export function sqlError(code: DeltaErrorCode, message: string, span: Span | undefined, source: string, details: Record<string, unknown> = {}): DeltaError {
  if (span === undefined) return new DeltaError(code, `${message}.`, { details });
  const [start, end] = span;
  const lineStart = source.lastIndexOf('\n', start - 1) + 1;
  const next = source.indexOf('\n', start);
  const line = source.slice(lineStart, next < 0 ? source.length : next);
  const width = Math.max(1, Math.min(end, lineStart + line.length) - start);
  return new DeltaError(code, `${message} (at column ${start - lineStart + 1}):\n  ${line}\n  ${' '.repeat(start - lineStart)}${'^'.repeat(width)}`, {
    details: { ...details, position: start, source },
  });
}

/** Unique names: the first of each name (case-insensitively) keeps it, later ones get `_2`, `_3`, …. */
export function uniqueNames(names: readonly string[], taken: Set<string> = new Set()): string[] {
  return names.map((n) => {
    let name = n;
    for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${n}_${i}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/** A structural key of an expression (spans ignored), to match GROUP BY keys and repeated aggregates. */
export function fingerprint(e: Expr): string {
  return JSON.stringify(e, (k, v: unknown) => (k === 'span' ? undefined : typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v));
}
