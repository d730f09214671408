import type { FunctionDef } from './function.js';

/** string functions (filled in by their own change). */
export const STRING_FUNCTIONS: readonly FunctionDef[] = [];
