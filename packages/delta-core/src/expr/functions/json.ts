import type { FunctionDef } from './function.js';

/** json functions (filled in by their own change). */
export const JSON_FUNCTIONS: readonly FunctionDef[] = [];
