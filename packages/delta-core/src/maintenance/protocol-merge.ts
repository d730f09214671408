/**
 * Merging protocols the way Delta Spark's `Protocol.merge` does (used by RESTORE, which never
 * downgrades a protocol): the highest reader and writer versions and every feature either protocol
 * supports, explicitly or implied by a legacy version; then written in the weakest form that
 * supports exactly those features (a table-features protocol whose features are exactly a legacy
 * version's becomes that legacy version).
 */
import type { Protocol } from '../log/actions.js';
import { supportedReaderFeatures, supportedWriterFeatures } from '../log/protocol-check.js';
import { READER_WRITER_FEATURES } from '../write/protocol-for.js';

/** Legacy `(reader, writer)` pairs, weakest first, that a merged protocol may normalize to. */
const LEGACY: readonly (readonly [number, number])[] = [
  [1, 1],
  [1, 2],
  [1, 3],
  [1, 4],
  [2, 5],
  [2, 6],
];

export function mergeProtocols(...protocols: readonly Protocol[]): Protocol {
  const reader = Math.max(...protocols.map((p) => p.minReaderVersion));
  const writer = Math.max(...protocols.map((p) => p.minWriterVersion));
  if (writer < 7 && reader < 3) return { minReaderVersion: reader, minWriterVersion: writer };
  const writerFeatures: string[] = [];
  const readerFeatures: string[] = [];
  const push = (list: string[], f: string) => {
    if (!list.includes(f)) list.push(f);
  };
  for (const p of protocols) {
    for (const f of supportedWriterFeatures(p)) push(writerFeatures, f);
    for (const f of supportedReaderFeatures(p)) push(readerFeatures, f);
  }
  for (const f of writerFeatures) if (READER_WRITER_FEATURES.has(f)) push(readerFeatures, f);
  const legacy = weakestLegacy(readerFeatures, writerFeatures);
  if (legacy !== undefined) return legacy;
  if (reader >= 3 || readerFeatures.some((f) => f !== 'columnMapping')) {
    return { minReaderVersion: 3, minWriterVersion: 7, readerFeatures, writerFeatures };
  }
  return { minReaderVersion: Math.max(reader, readerFeatures.length > 0 ? 2 : 1), minWriterVersion: 7, writerFeatures };
}

/** The weakest legacy protocol supporting exactly these features, if any. */
function weakestLegacy(readerFeatures: readonly string[], writerFeatures: readonly string[]): Protocol | undefined {
  for (const [r, w] of LEGACY) {
    const p: Protocol = { minReaderVersion: r, minWriterVersion: w };
    if (sameSet(supportedWriterFeatures(p), writerFeatures) && sameSet(supportedReaderFeatures(p), readerFeatures)) return p;
  }
  return undefined;
}

function sameSet(a: ReadonlySet<string>, b: readonly string[]): boolean {
  return a.size === new Set(b).size && b.every((x) => a.has(x));
}
