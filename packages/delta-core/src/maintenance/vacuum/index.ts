export { vacuumTable } from './vacuum.js';
export type { TableHandle, VacuumMode, VacuumOptions, VacuumResult } from './types.js';
