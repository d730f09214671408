/**
 * Streaming text from an input file: fixed-size byte ranges read through the object store,
 * decoded as UTF-8 (a leading byte-order mark is dropped), so memory stays bounded by the chunk
 * size whatever the file size.
 */
import { TextDecoder } from 'node:util';
import { DeltaError } from '../errors.js';
import { type ObjectStore } from '../storage/object-store.js';

/** Bytes read per `getRange` call. */
export const CHUNK_BYTES = 1 << 20;

/** Byte progress through one input file, for progress display. */
export interface ReadProgress {
  bytesRead: number;
  totalBytes: number;
}

/** The decoded text of `path` in chunks; `progress` is updated as bytes are read. */
export async function* readTextChunks(store: ObjectStore, path: string, progress: ReadProgress, signal?: AbortSignal): AsyncGenerator<string> {
  const { size } = await store.head(path);
  progress.totalBytes = size;
  progress.bytesRead = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  for (let start = 0; start < size; start += CHUNK_BYTES) {
    const end = Math.min(size, start + CHUNK_BYTES);
    const bytes = await store.getRange(path, start, end, signal ? { signal } : undefined);
    progress.bytesRead = start + bytes.length;
    yield decode(decoder, bytes, path, start, true);
    if (bytes.length < end - start) break; // the file shrank while being read
  }
  const tail = decode(decoder, new Uint8Array(0), path, size, false);
  if (tail !== '') yield tail;
}

function decode(decoder: TextDecoder, bytes: Uint8Array, path: string, offset: number, stream: boolean): string {
  try {
    return decoder.decode(bytes, { stream });
  } catch (e) {
    throw new DeltaError('PARSE_ERROR', `${path} is not valid UTF-8 text (near byte ${offset}). Save the input as UTF-8, or convert it to parquet.`, { cause: e, details: { path } });
  }
}

/** One line of text (without its line terminator) and its 1-based line number. */
export interface TextLine {
  readonly text: string;
  readonly line: number;
}

/**
 * Splits chunked text into lines on `\n`, dropping a `\r` before it; yields the lines each chunk
 * completes, as one array. The last line may lack `\n`.
 */
export async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<TextLine[]> {
  let carry = '';
  let line = 1;
  for await (const chunk of chunks) {
    const text = carry + chunk;
    const lines: TextLine[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      lines.push({ text: text.slice(start, end), line: line++ });
      start = nl + 1;
    }
    carry = text.slice(start);
    if (lines.length > 0) yield lines;
  }
  if (carry !== '') yield [{ text: carry.endsWith('\r') ? carry.slice(0, -1) : carry, line }];
}
