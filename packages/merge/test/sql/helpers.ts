import { isDeltaError, parseExpression, transformExpr, type Expr } from '@deltakit/core';
import { parseStatement, type Statement } from '../../src/index.js';

/** An expression parsed from text, without spans, for comparing with parsed statements. */
export function e(text: string): Expr {
  return stripExpr(parseExpression(text));
}

function stripExpr(x: Expr): Expr {
  return transformExpr(x, (node) => {
    const { span: _span, ...rest } = node;
    return rest as Expr;
  });
}

/** A statement without any span (expressions included). */
export function stripStatement(s: Statement): unknown {
  return JSON.parse(
    JSON.stringify(s, (key, value: unknown) => (key === 'span' ? undefined : typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? Array.from(value) : value)),
  ) as unknown;
}

/** Parses and strips spans. */
export const stmt = (text: string): unknown => stripStatement(parseStatement(text));

/** The same structure as `stmt` for a statement literal built by hand with `e(...)` expressions. */
export const expected = (s: unknown): unknown => stripStatement(s as Statement);

export interface ParseFailure {
  readonly message: string;
  readonly position: number;
}

/** The PARSE_ERROR of parseStatement(text). */
export function failureOf(text: string): ParseFailure {
  try {
    parseStatement(text);
  } catch (err) {
    if (!isDeltaError(err, 'PARSE_ERROR')) throw err;
    return { message: err.message, position: err.details['position'] as number };
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}
