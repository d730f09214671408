/**
 * Where new data files go and how their paths are written in the log (protocol-notes §4.3):
 * Hive-style partition directories (`col=value/`, values escaped Hive-style, null as
 * `__HIVE_DEFAULT_PARTITION__`), then the whole relative path URI-encoded the way Spark's
 * `Path.toUri.toString` does for `add.path`.
 */
import { randomUUID } from 'node:crypto';

/** Directory value of a null (or empty-string, which Delta treats as null) partition value. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/** Characters Hive escapes in partition path segments: 0x01-0x1F and `"#%'*\/:=?\\\x7F{[]^`. */
function needsHiveEscape(code: number): boolean {
  return (code >= 0x01 && code <= 0x1f) || HIVE_ESCAPED.has(code);
}

const HIVE_ESCAPED = new Set(Array.from('"#%\'*/:=?\\\x7f{[]^', (c) => c.charCodeAt(0)));

/** Hive path escaping of one partition column name or value: each escaped character becomes `%XX`. */
export function escapePartitionPathSegment(value: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!needsHiveEscape(c)) continue;
    out += value.slice(start, i) + '%' + hex2(c);
    start = i + 1;
  }
  return start === 0 ? value : out + value.slice(start);
}

/**
 * The unencoded partition directory for one file, `a=1/b=x%3Ay` (empty for an unpartitioned
 * table). `partitionColumns` gives the order and the keys of `partitionValues` (physical names
 * under column mapping); values are already serialized per the protocol.
 */
export function partitionDirectory(partitionColumns: readonly string[], partitionValues: Readonly<Record<string, string | null>>): string {
  return partitionColumns
    .map((col) => {
      const v = partitionValues[col];
      const value = v === null || v === undefined || v === '' ? HIVE_DEFAULT_PARTITION : escapePartitionPathSegment(v);
      return escapePartitionPathSegment(col) + '=' + value;
    })
    .join('/');
}

/**
 * URI-encodes a relative path for `add.path`/`remove.path`/`cdc.path` like java.net.URI's
 * path quoting (what Spark writes): letters, digits, `/` and ``_-!.~'()*,;:$&+=@`` stay, as do
 * non-ASCII characters other than controls and spaces; everything else (space, `%`, `#`, `?`,
 * `"`, `<`, `>`, `[`, `\`, `]`, `^`, `` ` ``, `{`, `|`, `}`, controls) becomes `%XX` of its
 * UTF-8 bytes. Decoding the result once gives back `path`.
 */
export function encodeLogPath(path: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x80 ? URI_PATH_ASCII[c] === 1 : !quoteNonAscii(path, i)) {
      if (isSurrogatePair(path, i)) i++; // supplementary characters are kept whole
      continue;
    }
    out += path.slice(start, i) + percentUtf8(path[i]!);
    start = i + 1;
  }
  return start === 0 ? path : out + path.slice(start);
}

const URI_PATH_ASCII = (() => {
  const t = new Uint8Array(128);
  const keep = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-!.~'()*,;:$&+=@";
  for (const ch of keep) t[ch.charCodeAt(0)] = 1;
  return t;
})();

/**
 * java.net.URI quotes non-ASCII characters that are ISO controls or Unicode space separators;
 * other characters, supplementary ones included, stay as they are.
 */
function quoteNonAscii(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0x80 && c <= 0x9f) return true;
  if (c >= 0xd800 && c <= 0xdfff) return !isSurrogatePair(s, i); // a lone surrogate has no UTF-8 form
  return /\p{Zs}|\p{Zl}|\p{Zp}/u.test(s[i]!);
}

function isSurrogatePair(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  const d = s.charCodeAt(i + 1);
  return c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff;
}

const encoder = new TextEncoder();

function percentUtf8(s: string): string {
  let out = '';
  for (const b of encoder.encode(s)) out += '%' + hex2(b);
  return out;
}

function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16).toUpperCase();
}

export interface DataFileNameOptions {
  /** Task/part index in the name (`part-00003-…`); default 0. */
  readonly partIndex?: number;
  /** Compression codec as Spark names it in file names; `uncompressed` adds nothing. Default `snappy`. */
  readonly codec?: 'snappy' | 'zstd' | 'gzip' | 'lz4' | 'uncompressed';
  /** File id; a random v4 UUID by default. */
  readonly uuid?: string;
  /** File counter within the task (`c000`); default 0. */
  readonly fileCounter?: number;
  /** First part of the name: `part` (data files, the default) or `cdc` (change-data files). */
  readonly prefix?: string;
}

/** Spark-style data file name: `part-00000-<uuid>-c000.snappy.parquet` (`cdc-…` for change data). */
export function dataFileName(options: DataFileNameOptions = {}): string {
  const part = String(options.partIndex ?? 0).padStart(5, '0');
  const counter = String(options.fileCounter ?? 0).padStart(3, '0');
  const codec = options.codec ?? 'snappy';
  const ext = codec === 'uncompressed' ? '.parquet' : `.${codec}.parquet`;
  return `${options.prefix ?? 'part'}-${part}-${options.uuid ?? randomUUID()}-c${counter}${ext}`;
}

/** Relative, unencoded location of a new data file under the table root (`a=1/part-….parquet`). */
export function dataFileRelativePath(
  partitionColumns: readonly string[],
  partitionValues: Readonly<Record<string, string | null>>,
  fileName: string,
): string {
  const dir = partitionDirectory(partitionColumns, partitionValues);
  return dir === '' ? fileName : dir + '/' + fileName;
}

/** The `add.path` value for a new data file: {@link dataFileRelativePath}, URI-encoded. */
export function addFilePath(
  partitionColumns: readonly string[],
  partitionValues: Readonly<Record<string, string | null>>,
  fileName: string,
): string {
  return encodeLogPath(dataFileRelativePath(partitionColumns, partitionValues, fileName));
}
