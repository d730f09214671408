import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';

const tmpRoots: string[] = [];
afterAll(() => tmpRoots.forEach((d) => rmSync(d, { recursive: true, force: true })));

const stores: Array<[string, () => { store: ObjectStore; root: string }]> = [
  ['memory', () => ({ store: new MemoryStore(), root: '/mem/t' })],
  [
    'local',
    () => {
      const root = mkdtempSync(join(tmpdir(), 'deltakit-store-'));
      tmpRoots.push(root);
      return { store: new LocalFileSystemStore(), root };
    },
  ],
];

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe.each(stores)('ObjectStore contract: %s', (_name, make) => {
  it('puts, gets, heads and reads ranges', async () => {
    const { store, root } = make();
    await store.put(`${root}/a/b.txt`, bytes('hello world'));
    expect(text(await store.get(`${root}/a/b.txt`))).toBe('hello world');
    expect(text(await store.getRange(`${root}/a/b.txt`, 6, 11))).toBe('world');
    const meta = await store.head(`${root}/a/b.txt`);
    expect(meta.size).toBe(11);
    expect(meta.lastModified).toBeGreaterThan(0);
  });

  it('get returns bytes that own their whole buffer (safe to transfer to a worker), small and large', async () => {
    const { store, root } = make();
    const big = new Uint8Array(3 << 20);
    for (let i = 0; i < big.length; i += 4099) big[i] = i & 0xff;
    await store.put(`${root}/own/small`, new TextEncoder().encode('tiny'));
    await store.put(`${root}/own/big`, big);
    for (const [path, expected] of [[`${root}/own/small`, new TextEncoder().encode('tiny')], [`${root}/own/big`, big]] as const) {
      const got = await store.get(path);
      expect(got.byteOffset).toBe(0);
      expect(got.buffer.byteLength).toBe(got.byteLength);
      expect(Buffer.from(got).equals(Buffer.from(expected))).toBe(true);
    }
  });

  it('throws FILE_NOT_FOUND for missing objects', async () => {
    const { store, root } = make();
    for (const op of [() => store.get(`${root}/nope`), () => store.head(`${root}/nope`), () => store.getRange(`${root}/nope`, 0, 1)]) {
      const err = await op().catch((e: unknown) => e);
      expect(isDeltaError(err, 'FILE_NOT_FOUND')).toBe(true);
    }
  });

  it('lists sorted by byte order, non-recursive by default, with startAt', async () => {
    const { store, root } = make();
    for (const name of ['b.json', 'a.json', 'c/d.json', '_x', '00010.json', '00002.json']) await store.put(`${root}/log/${name}`, bytes(name));
    const flat = (await collect(store.list(`${root}/log`))).map((m) => m.path.slice(root.length + 5));
    expect(flat).toEqual(['00002.json', '00010.json', '_x', 'a.json', 'b.json']);
    const from = (await collect(store.list(`${root}/log/`, { startAt: '00010' }))).map((m) => m.path.slice(root.length + 5));
    expect(from).toEqual(['00010.json', '_x', 'a.json', 'b.json']);
    const rec = (await collect(store.list(`${root}/log`, { recursive: true }))).map((m) => m.path.slice(root.length + 5));
    expect(rec).toContain('c/d.json');
    expect(await collect(store.list(`${root}/missing`))).toEqual([]);
  });

  it('putIfAbsent creates once and reports the lost race as a value', async () => {
    const { store, root } = make();
    const p = `${root}/_delta_log/00000000000000000000.json`;
    expect(await store.putIfAbsent(p, bytes('first'))).toEqual({ created: true });
    expect(await store.putIfAbsent(p, bytes('second'))).toEqual({ created: false });
    expect(text(await store.get(p))).toBe('first');
  });

  it('concurrent putIfAbsent has exactly one winner', async () => {
    const { store, root } = make();
    const p = `${root}/race.json`;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putIfAbsent(p, bytes(`w${i}`))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    // no temporary files are left behind
    const names = (await collect(store.list(root))).map((m) => m.path);
    expect(names).toEqual([p]);
  });

  it('put replaces, delete is idempotent, isDirectory', async () => {
    const { store, root } = make();
    await store.put(`${root}/x/f`, bytes('1'));
    await store.put(`${root}/x/f`, bytes('22'));
    expect(text(await store.get(`${root}/x/f`))).toBe('22');
    expect(await store.isDirectory(`${root}/x`)).toBe(true);
    expect(await store.isDirectory(`${root}/y`)).toBe(false);
    await store.delete(`${root}/x/f`);
    await store.delete(`${root}/x/f`);
    expect(isDeltaError(await store.get(`${root}/x/f`).catch((e: unknown) => e), 'FILE_NOT_FOUND')).toBe(true);
  });

  it('rename moves an object into new folders, never replaces the target, and fails on a missing source', async () => {
    const { store, root } = make();
    await store.put(`${root}/in/a.json`, bytes('a'));
    await store.put(`${root}/in/b.json`, bytes('b'));
    expect(await store.rename!(`${root}/in/a.json`, `${root}/archive/x/in/a.json`)).toEqual({ created: true });
    expect(text(await store.get(`${root}/archive/x/in/a.json`))).toBe('a');
    expect(isDeltaError(await store.head(`${root}/in/a.json`).catch((e: unknown) => e), 'FILE_NOT_FOUND')).toBe(true);
    expect(await store.rename!(`${root}/in/b.json`, `${root}/archive/x/in/a.json`)).toEqual({ created: false });
    expect(text(await store.get(`${root}/in/b.json`))).toBe('b');
    expect(text(await store.get(`${root}/archive/x/in/a.json`))).toBe('a');
    const err = await store.rename!(`${root}/in/missing`, `${root}/archive/m`).catch((e: unknown) => e);
    expect(isDeltaError(err, 'FILE_NOT_FOUND')).toBe(true);
  });
});

describe('LocalFileSystemStore.get', () => {
  it('returns a plain Uint8Array owning its whole ArrayBuffer (safe to transfer), small and large files alike', async () => {
    const root = mkdtempSync(join(tmpdir(), 'deltakit-store-'));
    tmpRoots.push(root);
    const store = new LocalFileSystemStore();
    for (const size of [0, 10, 4095, 4096, 8192, 100_000]) {
      const data = new Uint8Array(size).map((_, i) => i % 251);
      await store.put(`${root}/f${size}`, data);
      const got = await store.get(`${root}/f${size}`);
      expect(Object.getPrototypeOf(got)).toBe(Uint8Array.prototype);
      expect(got.byteOffset).toBe(0);
      expect(got.buffer.byteLength).toBe(size);
      expect(got).toEqual(data);
    }
  });
});

describe('LocalFileSystemStore.watch', () => {
  it('reports files created in a watched folder and its subfolders, until stopped', async () => {
    const root = mkdtempSync(join(tmpdir(), 'deltakit-watch-'));
    try {
      const store = new LocalFileSystemStore();
      await store.put(`${root}/landing/.keep`, bytes(''));
      const seen = new Set<string>();
      let wake: () => void = () => undefined;
      const stop = store.watch(`${root}/landing`, (p) => {
        if (p !== undefined) seen.add(p);
        wake();
      });
      const until = async (path: string) => {
        const deadline = Date.now() + 5000;
        while (!seen.has(path) && Date.now() < deadline) await new Promise<void>((r) => ((wake = r), setTimeout(r, 50)));
        return seen.has(path);
      };
      await store.put(`${root}/landing/a.json`, bytes('{}'));
      expect(await until(`${root}/landing/a.json`)).toBe(true);
      await store.put(`${root}/landing/2024/b.json`, bytes('{}'));
      expect(await until(`${root}/landing/2024/b.json`)).toBe(true);
      stop();
      seen.clear();
      await store.put(`${root}/landing/c.json`, bytes('{}'));
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.has(`${root}/landing/c.json`)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
