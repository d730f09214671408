/** Small helpers shared by the checkpoint writers. */
import type { Engine } from '../../engine.js';
import { wrapEngineError } from '../../errors.js';

/** Writes one log file (overwriting: checkpoint files of one version have identical content). */
export async function putFile(engine: Engine, path: string, bytes: Uint8Array, what: string): Promise<void> {
  try {
    await engine.store.put(path, bytes);
  } catch (e) {
    throw wrapEngineError(what, path, e);
  }
}

/** A part number as the 10 digits of multi-part checkpoint and sidecar names. */
export const pad10 = (n: number): string => String(n).padStart(10, '0');

/**
 * The part (0-based) a file action goes to: an FNV-1a hash of its path modulo the part count, so
 * that writing the same state again produces the same parts (as Spark's partitioning by path does).
 */
export function partOf(path: string, numParts: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % numParts;
}
