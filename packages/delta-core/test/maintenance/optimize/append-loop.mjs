// Child process of the OPTIMIZE concurrency test: appends batches of 10 rows (ids from `firstId`,
// consecutive) to the table through the built package, one commit each, until the parent sends
// "stop"; then reports how many batches it committed. Sends {appended} after every commit.
// argv: distDir tableRoot firstId
const [distDir, tableRoot, firstIdText] = process.argv.slice(2);
const { DeltaTable, createDefaultEngine, struct, field, primitive } = await import(`${distDir}/index.js`);

const schema = struct([field('id', primitive('long'), false), field('v', primitive('integer')), field('p', primitive('string'))]);
const table = DeltaTable.forPath(tableRoot, { engine: createDefaultEngine({ workers: 0 }) });
let stop = false;
process.on('message', (m) => {
  if (m === 'stop') stop = true;
});
const firstId = Number(firstIdText);
let appended = 0;
while (!stop) {
  const rows = Array.from({ length: 10 }, (_, i) => {
    const id = firstId + appended * 10 + i;
    return { id: BigInt(id), v: id % 97, p: `p${id % 3}` };
  });
  await table.write({ rows, schema }, { mode: 'append' });
  appended++;
  process.send({ appended });
}
await table.close();
process.send({ appended, done: true }, () => process.exit(0));
