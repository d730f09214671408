import type { FunctionDef } from './function.js';

/** hash functions (filled in by their own change). */
export const HASH_FUNCTIONS: readonly FunctionDef[] = [];
