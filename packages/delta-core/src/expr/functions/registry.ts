import { ARITHMETIC_FUNCTIONS } from './arithmetic.js';
import { CONDITIONAL_FUNCTIONS } from './conditional.js';
import { CONSTRUCTOR_FUNCTIONS } from './constructors.js';
import { DATETIME_FUNCTIONS } from './datetime.js';
import type { FunctionDef } from './function.js';
import { HASH_FUNCTIONS } from './hash.js';
import { JSON_FUNCTIONS } from './json.js';
import { MATH_FUNCTIONS } from './math.js';
import { STRING_FUNCTIONS } from './string.js';

/**
 * Every SQL function the binder resolves, by lower-case name and alias. One module per family;
 * a name defined twice is a programming error caught when this module loads.
 */
export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = buildRegistry([
  ...ARITHMETIC_FUNCTIONS,
  ...CONDITIONAL_FUNCTIONS,
  ...CONSTRUCTOR_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...MATH_FUNCTIONS,
  ...HASH_FUNCTIONS,
  ...DATETIME_FUNCTIONS,
  ...JSON_FUNCTIONS,
]);

function buildRegistry(defs: readonly FunctionDef[]): Map<string, FunctionDef> {
  const map = new Map<string, FunctionDef>();
  for (const d of defs) {
    for (const name of [d.name, ...(d.aliases ?? [])]) {
      if (map.has(name)) throw new Error(`function ${name} is defined twice`);
      map.set(name, d);
    }
  }
  return map;
}

/** Function names, sorted, for "did you mean" suggestions. */
export function functionNames(): string[] {
  return [...FUNCTIONS.keys()].filter((n) => /^[a-z_]/.test(n)).sort();
}
