import type { FunctionDef } from './function.js';

/** math functions (filled in by their own change). */
export const MATH_FUNCTIONS: readonly FunctionDef[] = [];
