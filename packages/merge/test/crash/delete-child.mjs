// Child process of the DML crash-safety test: opens a table through the built @deltakit/merge,
// prints `ready <version>`, runs one DELETE and prints `done <version>`. The parent SIGKILLs it
// at a random moment. argv: mergeDist tableRoot condition
const [dist, tableRoot, condition] = process.argv.slice(2);
const { DeltaTable } = await import(`${dist}/index.js`);
const { createDefaultEngine } = await import('@deltakit/core');
const table = DeltaTable.forPath(tableRoot, { engine: createDefaultEngine({ workers: 1 }) });
const snap = await table.snapshot();
process.stdout.write(`ready ${snap.version}\n`);
const r = await table.delete(condition);
process.stdout.write(`done ${r.version}\n`);
await table.close();
