import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createDefaultEngine, isDeltaError } from '@deltakit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Session, sessionReaders, type Row, type StreamingQuery } from '../../src/index.js';
import { tempDir } from '../helpers.js';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const servers: Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

/** A local server; `send` writes to the connected client. */
async function server(): Promise<{ port: number; send: (text: string) => void; end: () => void }> {
  const clients: Socket[] = [];
  const srv = createServer((c) => clients.push(c));
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const waitClient = async () => {
    for (let i = 0; i < 200 && clients.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  };
  return {
    port: (srv.address() as AddressInfo).port,
    send: (text) => void waitClient().then(() => clients[0]!.write(text)),
    end: () => void waitClient().then(() => clients[0]!.end()),
  };
}

function setup() {
  const clock = { now: T0, nowMs() { return this.now; } };
  const session = new Session({ engine: { ...createDefaultEngine({ workers: 0 }), clock } });
  return { clock, ...sessionReaders(session) };
}

async function collectUntil(q: StreamingQuery, rows: Row[], n: number): Promise<void> {
  for (let i = 0; i < 400 && rows.length < n; i++) {
    await q.processAllAvailable();
    if (rows.length < n) await new Promise((r) => setTimeout(r, 5));
  }
}

describe('socket source (TextSocketStream)', () => {
  it('makes one value row per line, across batches, with line numbers as offsets', async () => {
    const { port, send } = await server();
    const { readStream } = setup();
    const dir = tempDir();
    const rows: Row[] = [];
    const ids: number[] = [];
    const q = await readStream.format('socket').option('host', '127.0.0.1').option('port', port).load()
      .writeStream.option('checkpointLocation', `${dir}/chk`)
      .foreachBatch(async (df, id) => {
        ids.push(id);
        rows.push(...(await df.collect()));
      })
      .start();
    expect(q.id).toBeTruthy();
    send('hello\nworld\r\n');
    await collectUntil(q, rows, 2);
    send('par');
    send('tial\n\n');
    await collectUntil(q, rows, 4);
    await q.stop();
    expect(rows).toEqual([{ value: 'hello' }, { value: 'world' }, { value: 'partial' }, { value: '' }]);
    expect(ids[0]).toBe(0);
    expect(q.lastProgress?.sources[0]?.endOffset).toBe(3);
  });

  it('includeTimestamp adds the arrival time from the engine clock', async () => {
    const { port, send } = await server();
    const { readStream, clock } = setup();
    clock.now = T0 + 1234;
    const dir = tempDir();
    const rows: Row[] = [];
    const df = readStream.format('socket').option('host', '127.0.0.1').option('port', port).option('includeTimestamp', true).load();
    expect(await df.columns()).toEqual(['value', 'timestamp']);
    const q = await df.writeStream.option('checkpointLocation', `${dir}/chk`).foreachBatch(async (b) => void rows.push(...(await b.collect()))).start();
    send('a\n');
    await collectUntil(q, rows, 1);
    await q.stop();
    expect(rows).toEqual([{ value: 'a', timestamp: '2024-01-01T12:00:01.234000Z' }]);
  });

  it('a restarted query continues with new lines after the checkpoint offset (no recovery of old lines)', async () => {
    const first = await server();
    const dir = tempDir();
    const rows: Row[] = [];
    const start = (port: number) =>
      setup().readStream.format('socket').option('host', '127.0.0.1').option('port', port).load()
        .writeStream.option('checkpointLocation', `${dir}/chk`).foreachBatch(async (b) => void rows.push(...(await b.collect()))).start();
    let q = await start(first.port);
    first.send('one\ntwo\n');
    await collectUntil(q, rows, 2);
    await q.stop();
    const second = await server();
    q = await start(second.port);
    second.send('three\n');
    await collectUntil(q, rows, 3);
    await q.stop();
    expect(rows.map((r) => r.value)).toEqual(['one', 'two', 'three']);
  });

  it('keeps the lines it has when the server closes the connection', async () => {
    const { port, send, end } = await server();
    const { readStream } = setup();
    const dir = tempDir();
    const rows: Row[] = [];
    const q = await readStream.format('socket').option('host', '127.0.0.1').option('port', port).load()
      .writeStream.option('checkpointLocation', `${dir}/chk`).foreachBatch(async (b) => void rows.push(...(await b.collect()))).start();
    send('x\ny\n');
    end();
    await collectUntil(q, rows, 2);
    expect(q.isActive).toBe(true);
    await q.stop();
    expect(rows.map((r) => r.value)).toEqual(['x', 'y']);
  });

  it('fails with typed errors: nothing listening, missing host or port, a user schema', async () => {
    const { readStream } = setup();
    const dir = tempDir();
    const srv = await server();
    const freePort = srv.port;
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    const start = (r: ReturnType<typeof readStream.format>) => r.load().writeStream.option('checkpointLocation', `${dir}/chk`).format('memory').queryName('s').start().catch((e: unknown) => e);
    const refused = await start(readStream.format('socket').option('host', '127.0.0.1').option('port', freePort));
    expect(isDeltaError(refused, 'INVALID_ARGUMENT')).toBe(true);
    expect((refused as Error).message).toMatch(new RegExp(`127\\.0\\.0\\.1:${freePort}`));
    expect(isDeltaError(await start(readStream.format('socket').option('port', 1)), 'INVALID_ARGUMENT')).toBe(true);
    expect(isDeltaError(await start(readStream.format('socket').option('host', 'localhost')), 'INVALID_ARGUMENT')).toBe(true);
    const schemaErr = await start(readStream.format('socket').schema('v STRING').option('host', 'localhost').option('port', 1));
    expect((schemaErr as Error).message).toMatch(/user-specified schema/);
  });
});
