import { functionNames } from '../../delta-core/dist/expr/functions/registry.js';
const names = functionNames();
const camel = (n) => n.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const allCols = new Set(['concat', 'coalesce', 'greatest', 'least', 'nvl', 'ifnull', 'nvl2', 'hash', 'xxhash64', 'elt', 'nullif']);
const lines = [];
const seen = new Set();
for (const n of names) {
  let c = camel(n);
  if (c === 'if') c = 'iff';
  if (seen.has(c)) continue;
  seen.add(c);
  const mode = allCols.has(n) ? 'columns' : n === 'concat_ws' ? 'separator' : 'first';
  lines.push(`export const ${c} = fn('${n}', '${mode}');`);
}
console.log(lines.join('\n'));
// Usage: node scripts/gen-functions.mjs > /tmp/fns.txt, then replace the export lines of src/api/functions-sql.ts.
