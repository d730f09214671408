import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as nodePath from 'node:path';
import { randomUUID } from 'node:crypto';
import { DeltaError, wrapEngineError } from '../errors.js';
import type { ListOptions, ObjectMeta, ObjectStore, PutIfAbsentResult } from './object-store.js';
import { notFound } from './memory-store.js';
import { compareUtf8, normalizeDir } from './paths.js';

/**
 * The local file system. The only module that imports `node:fs`.
 *
 * Atomicity: `put` writes a temporary sibling file then renames it over the target;
 * `putIfAbsent` writes a temporary file then hard-links it to the target, which fails with EEXIST
 * when another writer (in any process) got there first. Readers never see partial files.
 */
export class LocalFileSystemStore implements ObjectStore {
  async *list(dir: string, options: ListOptions = {}): AsyncIterable<ObjectMeta> {
    const root = normalizeDir(dir);
    const out: ObjectMeta[] = [];
    this.#collect(root, '', options, out);
    out.sort((a, b) => compareUtf8(a.path, b.path));
    yield* out;
  }

  #collect(root: string, relDir: string, options: ListOptions, out: ObjectMeta[]): void {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(root + relDir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code === 'ENOTDIR') {
        throw new DeltaError('NOT_A_DIRECTORY', `${root + relDir} is a file, not a directory. Point at the table's directory instead.`, { cause: e });
      }
      throw wrapEngineError('list', root + relDir, e);
    }
    for (const ent of entries) {
      const rel = relDir + ent.name;
      if (options.physical) {
        this.#physicalEntry(root, rel, options, out);
        continue;
      }
      if (ent.isDirectory()) {
        if (options.recursive && (options.descend?.(rel) ?? true)) this.#collect(root, rel + '/', options, out);
        continue;
      }
      if (options.startAt !== undefined && relDir === '' && rel < options.startAt) continue;
      let st: fs.Stats;
      try {
        st = fs.statSync(root + rel);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted while listing
        throw wrapEngineError('stat', root + rel, e);
      }
      if (!st.isFile()) continue;
      out.push({ path: root + rel, size: st.size, lastModified: Math.floor(st.mtimeMs) });
    }
  }

  /**
   * One entry of a physical listing, classified by lstat (never following a link; some file systems
   * leave the directory entry's type unknown): directories reported and descended, links reported
   * and never followed.
   */
  #physicalEntry(root: string, rel: string, options: ListOptions, out: ObjectMeta[]): void {
    if (options.startAt !== undefined && !rel.includes('/') && rel < options.startAt) return;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(root + rel);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // deleted while listing
      throw wrapEngineError('stat', root + rel, e);
    }
    const lastModified = Math.floor(st.mtimeMs);
    if (st.isSymbolicLink()) {
      out.push({ path: root + rel, size: 0, lastModified, kind: 'symlink' });
    } else if (st.isDirectory()) {
      out.push({ path: root + rel, size: 0, lastModified, kind: 'directory' });
      if (options.recursive && (options.descend?.(rel) ?? true)) this.#collect(root, rel + '/', options, out);
    } else if (st.isFile()) {
      out.push({ path: root + rel, size: st.size, lastModified });
    }
  }

  /**
   * A plain Uint8Array (not a Buffer, whose `slice` is a view) that owns its whole ArrayBuffer, so
   * callers may transfer it to a worker. The read buffer is used as is when it already owns its
   * ArrayBuffer (files over 4 KiB); pooled small buffers are copied.
   */
  async get(path: string): Promise<Uint8Array> {
    try {
      const b = await readFileCb(path);
      return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? new Uint8Array(b.buffer, 0, b.byteLength) : new Uint8Array(b);
    } catch (e) {
      throw mapError('read', path, e);
    }
  }

  async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    let fh: fsp.FileHandle | undefined;
    try {
      fh = await fsp.open(path, 'r');
      const buf = new Uint8Array(Math.max(0, end - start));
      let read = 0;
      while (read < buf.length) {
        const { bytesRead } = await fh.read(buf, read, buf.length - read, start + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return read === buf.length ? buf : buf.subarray(0, read);
    } catch (e) {
      throw mapError('read', path, e);
    } finally {
      await fh?.close();
    }
  }

  async head(path: string): Promise<ObjectMeta> {
    try {
      const st = await fsp.stat(path);
      if (!st.isFile()) throw new DeltaError('FILE_NOT_FOUND', `${path} is a directory, not a file.`, { details: { path } });
      return { path, size: st.size, lastModified: Math.floor(st.mtimeMs) };
    } catch (e) {
      throw mapError('stat', path, e);
    }
  }

  async statEntry(path: string): Promise<ObjectMeta> {
    try {
      const st = await fsp.lstat(path);
      const lastModified = Math.floor(st.mtimeMs);
      if (st.isSymbolicLink()) return { path, size: 0, lastModified, kind: 'symlink' };
      if (st.isDirectory()) return { path, size: 0, lastModified, kind: 'directory' };
      return { path, size: st.size, lastModified };
    } catch (e) {
      throw mapError('stat', path, e);
    }
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    const tmp = await this.#writeTemp(path, data);
    try {
      await fsp.rename(tmp, path);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw mapError('write', path, e);
    }
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<PutIfAbsentResult> {
    const tmp = await this.#writeTemp(path, data);
    try {
      await fsp.link(tmp, path);
      return { created: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { created: false };
      throw mapError('write', path, e);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  async rename(from: string, to: string): Promise<PutIfAbsentResult> {
    try {
      await fsp.stat(from);
      await fsp.mkdir(nodePath.dirname(to), { recursive: true });
      // link + unlink: atomic and never replaces an existing target (rename(2) would).
      await fsp.link(from, to);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return { created: false };
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw mapError('rename', code === 'ENOENT' ? from : to, e);
      // Another device (or no hard links): copy to the target without replacing it, then delete.
      const result = await this.putIfAbsent(to, await this.get(from));
      if (!result.created) return result;
    }
    await this.delete(from);
    return { created: true };
  }

  watch(dir: string, onChange: (path: string | undefined) => void): () => void {
    // inotify (Linux), FSEvents (macOS), ReadDirectoryChangesW (Windows): events arrive at once.
    const watcher = fs.watch(dir, { recursive: true, persistent: false }, (_event, name) => {
      onChange(name === null || name === undefined ? undefined : nodePath.join(dir, name.toString()));
    });
    watcher.on('error', () => onChange(undefined));
    return () => watcher.close();
  }

  async delete(path: string): Promise<void> {
    try {
      await fsp.rm(path, { force: true });
    } catch (e) {
      throw mapError('delete', path, e);
    }
  }

  async deleteDirectory(path: string): Promise<boolean> {
    try {
      await fsp.rmdir(path);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') return false;
      throw mapError('delete', path, e);
    }
  }

  async isDirectory(path: string): Promise<boolean> {
    try {
      return (await fsp.stat(path)).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw mapError('stat', path, e);
    }
  }

  async #writeTemp(path: string, data: Uint8Array): Promise<string> {
    const dir = nodePath.dirname(path);
    const tmp = nodePath.join(dir, `.${nodePath.basename(path)}.${randomUUID()}.tmp`);
    for (let attempt = 1; ; attempt++) {
      try {
        await fsp.mkdir(dir, { recursive: true });
        await fsp.writeFile(tmp, data, { flag: 'wx' });
        return tmp;
      } catch (e) {
        // An empty directory can be removed (by VACUUM) between mkdir and the write: create it again.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' && attempt < MKDIR_ATTEMPTS) continue;
        await fsp.rm(tmp, { force: true });
        throw mapError('write', path, e);
      }
    }
  }
}

/** Times a write re-creates its directory when it vanished right after being created. */
const MKDIR_ATTEMPTS = 5;

function readFileCb(path: string): Promise<Buffer> {
  // The callback API makes fewer thread-pool round trips than fs.promises.readFile.
  return new Promise((resolve, reject) => fs.readFile(path, (err, buf) => (err ? reject(err) : resolve(buf))));
}

function mapError(operation: string, path: string, e: unknown): DeltaError {
  if (e instanceof DeltaError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return notFound(path, e);
  if (code === 'EISDIR') return new DeltaError('FILE_NOT_FOUND', `${path} is a directory, not a file.`, { cause: e, details: { path } });
  if (code === 'ENOTDIR') {
    return new DeltaError('NOT_A_DIRECTORY', `A parent of ${path} is a file, not a directory. Point at a table directory instead.`, { cause: e, details: { path } });
  }
  return wrapEngineError(operation, path, e);
}

/** Converts a local path or `file:` URI to an absolute store path. */
export function localPathFromUri(uri: string): string {
  if (uri.startsWith('file:')) {
    const url = new URL(uri.startsWith('file://') ? uri : 'file://' + uri.slice('file:'.length));
    return nodePath.resolve(decodeURIComponent(url.pathname));
  }
  return nodePath.resolve(uri);
}
