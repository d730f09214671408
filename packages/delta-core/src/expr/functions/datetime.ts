import type { FunctionDef } from './function.js';

/** datetime functions (filled in by their own change). */
export const DATETIME_FUNCTIONS: readonly FunctionDef[] = [];
