// Child process of the OPTIMIZE/DML conflict tests: runs one statement on a table through the
// built @deltakit/merge (whose DeltaTable has core's optimize) and exits.
// argv: mergeDist tableRoot op [condition]   (op: delete | optimize)
// Prints one JSON line: {"ok":true,"version":N} or {"ok":false,"code":"...","message":"..."}.
const [dist, tableRoot, op, condition] = process.argv.slice(2);
const { DeltaTable } = await import(`${dist}/index.js`);
const { createDefaultEngine } = await import('@deltakit/core');
const table = DeltaTable.forPath(tableRoot, { engine: createDefaultEngine({ workers: 0 }) });
try {
  const r = op === 'delete' ? await table.delete(condition) : await table.optimize();
  process.stdout.write(JSON.stringify({ ok: true, version: r.version }) + '\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, code: e.code, message: e.message }) + '\n');
} finally {
  await table.close();
}
