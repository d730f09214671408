import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../src/expr/ast.js';
import { parseExpression } from '../../src/expr/parse.js';
import { printExpr } from '../../src/expr/print.js';
import { isDeltaError } from '../../src/errors.js';
import { anyExpr, exprText, mutatedText, tokenSoup } from './expr-arbitraries.js';
import { nodesOf, stripSpans } from './parse-helpers.js';

/** Per-input time bound (inputs here are under 2 KB; parsing is linear). */
const TIME_LIMIT_MS = 50;
/** Cases per property; raise DELTAKIT_FUZZ_RUNS for a longer search. */
const RUNS = Number(process.env['DELTAKIT_FUZZ_RUNS'] ?? 3000);

/** Milliseconds `parseExpression(text)` took; fails the property on anything but success or a PARSE_ERROR. */
function parseOrParseError(text: string): { ms: number; tree?: Expr } {
  const t0 = performance.now();
  let tree: Expr | undefined;
  try {
    tree = parseExpression(text);
  } catch (e) {
    const ms = performance.now() - t0;
    if (!isDeltaError(e, 'PARSE_ERROR')) throw new Error(`not a PARSE_ERROR for ${JSON.stringify(text)}: ${String(e)}`, { cause: e });
    const position = e.details['position'] as number;
    expect(position).toBeGreaterThanOrEqual(0);
    expect(position).toBeLessThanOrEqual(text.length);
    expect(e.message).toMatch(/ at (line \d+, )?column \d+:\n/);
    return { ms };
  }
  return { ms: performance.now() - t0, tree };
}

/** Every span lies in the text and inside its parent's span. */
function checkSpans(text: string, e: Expr, parent: readonly [number, number] = [0, text.length]): void {
  const [start, end] = e.span!;
  expect(start).toBeGreaterThanOrEqual(parent[0]);
  expect(end).toBeLessThanOrEqual(parent[1]);
  expect(start).toBeLessThan(end);
  for (const child of nodesOf(e).slice(1)) {
    if (!child.span) throw new Error('a node has no span');
  }
}

function expectTotalAndFast(text: string): void {
  const { ms, tree } = parseOrParseError(text);
  if (tree) checkSpans(text, tree);
  if (text.length >= 2048 || ms < TIME_LIMIT_MS) return;
  // A slow run may be a GC pause or a busy machine; a slow parser is slow every time.
  const best = Math.min(ms, parseOrParseError(text).ms, parseOrParseError(text).ms);
  expect(best, `parsing took ${best.toFixed(1)} ms: ${JSON.stringify(text)}`).toBeLessThan(TIME_LIMIT_MS);
}

// Warm the JIT so the time bound measures the parser, not compilation.
for (let k = 0; k < 200; k++) {
  try {
    parseExpression(`a${k} + 1 BETWEEN 2 AND f(x, 'y') OR CASE WHEN b THEN INTERVAL 1 DAY END IS NULL`);
    parseExpression('(((a');
  } catch {
    // expected
  }
}

describe('parseExpression fuzzing', () => {
  it('random strings: only PARSE_ERRORs, within the time bound', () => {
    const sqlChars = fc.constantFrom(...'abcxyzLSDFBDE_0123456789 \t\n.,()[]+-*/%=<>!|&^~:;?\'"`\\'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: sqlChars, maxLength: 300 })), (text) => expectTotalAndFast(text)),
      { numRuns: RUNS },
    );
  });

  it('token soup: only PARSE_ERRORs, within the time bound', () => {
    fc.assert(fc.property(tokenSoup, expectTotalAndFast), { numRuns: RUNS });
  });

  it('long inputs (up to 2 KB of tokens, deep parentheses): only PARSE_ERRORs, within the time bound', () => {
    const long = fc.oneof(
      fc.array(tokenSoup, { minLength: 10, maxLength: 40 }).map((parts) => parts.join(' ').slice(0, 2047)),
      fc.tuple(fc.nat({ max: 1500 }), fc.nat({ max: 1500 }), exprText).map(([open, close, e]) => ('('.repeat(open) + e + ')'.repeat(close)).slice(0, 2047)),
    );
    fc.assert(fc.property(long, expectTotalAndFast), { numRuns: Math.ceil(RUNS / 6) });
  });

  it('mutated valid expressions: only PARSE_ERRORs, within the time bound', () => {
    fc.assert(fc.property(mutatedText, expectTotalAndFast), { numRuns: RUNS });
  });

  it('generated valid texts parse, and each node span re-parses to that node', () => {
    fc.assert(
      fc.property(exprText, (text) => {
        const tree = parseExpression(text);
        checkSpans(text, tree);
        for (const node of nodesOf(tree)) {
          if (isExpansion(tree, node)) continue;
          const slice = text.slice(node.span![0], node.span![1]);
          expect(stripSpans(parseExpression(slice)), slice).toEqual(stripSpans(node));
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('round-trips generated trees through printExpr', () => {
    fc.assert(
      fc.property(anyExpr, (e) => {
        const text = printExpr(e);
        const parsed = parseExpression(text);
        expect(stripSpans(parsed)).toEqual(e);
        for (const node of nodesOf(parsed)) {
          const slice = text.slice(node.span![0], node.span![1]);
          expect(stripSpans(parseExpression(slice)), slice).toEqual(stripSpans(node));
        }
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * Nodes the parser synthesizes with the span of a whole predicate (the comparisons of BETWEEN,
 * the LIKEs of LIKE ANY, the negation of NOT BETWEEN / NOT LIKE / IS DISTINCT FROM) or from a
 * keyword: their span re-parses to something else.
 */
function isExpansion(root: Expr, node: Expr): boolean {
  return nodesOf(root).some(
    (p) =>
      (p !== node && p.span![0] === node.span![0] && p.span![1] === node.span![1] && nodesOf(p).includes(node)) ||
      // the unit keyword of TIMESTAMPADD(DAY, …) becomes the string 'DAY'
      (p.kind === 'call' && UNIT_FUNCTIONS.has(p.name) && p.args[0] === node),
  );
}

const UNIT_FUNCTIONS = new Set(['timestampadd', 'timestampdiff', 'timediff']);
