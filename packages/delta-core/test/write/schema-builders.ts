export { field, primitive, struct, decimal } from '../../src/schema/types.js';
import type { ArrayType, DataType, MapType } from '../../src/schema/types.js';

export const array = (elementType: DataType, containsNull = true): ArrayType => ({ kind: 'array', elementType, containsNull });
export const map = (keyType: DataType, valueType: DataType, valueContainsNull = true): MapType => ({ kind: 'map', keyType, valueType, valueContainsNull });
