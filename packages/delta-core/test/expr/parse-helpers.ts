import { childrenOf, transformExpr, type Expr } from '../../src/expr/ast.js';
import { parseExpression, type ParseOptions } from '../../src/expr/parse.js';
import { isDeltaError } from '../../src/errors.js';

/** `e` without spans, for comparing with trees built by the ast.ts builders. */
export function stripSpans(e: Expr): Expr {
  return transformExpr(e, (node) => {
    const { span: _span, ...rest } = node;
    return rest as Expr;
  });
}

/** Parses and drops spans. */
export const parse = (text: string, options?: ParseOptions): Expr => stripSpans(parseExpression(text, options));

export interface ParseFailure {
  readonly message: string;
  /** 0-based offset of the caret. */
  readonly position: number;
  readonly column: number;
  readonly line: number;
}

/** The PARSE_ERROR that `run` throws (any other outcome fails the test). */
export function parseFailure(run: () => unknown): ParseFailure {
  try {
    run();
  } catch (e) {
    if (!isDeltaError(e, 'PARSE_ERROR')) throw e;
    return { message: e.message, position: e.details['position'] as number, column: e.details['column'] as number, line: e.details['line'] as number };
  }
  throw new Error('expected a PARSE_ERROR, but parsing succeeded');
}

/** The PARSE_ERROR of `parseExpression(text)`. */
export const failureOf = (text: string): ParseFailure => parseFailure(() => parseExpression(text));

/** Every node of a tree, parents first. */
export function nodesOf(e: Expr): Expr[] {
  return [e, ...childrenOf(e).flatMap(nodesOf)];
}

/** The operands of an AND / OR node (none for other kinds). */
export const argsOf = (e: Expr): readonly Expr[] => (e.kind === 'and' || e.kind === 'or' ? e.args : []);
