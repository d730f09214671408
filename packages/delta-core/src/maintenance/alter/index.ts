/**
 * ALTER TABLE and DESCRIBE DETAIL (see each module): schema changes (add, rename, drop columns;
 * comments, type widening, DROP NOT NULL), table properties, enabling column mapping, and the
 * table detail record. `DeltaTable` delegates to these.
 */
export { addColumns, type AddColumnSpec } from './add-columns.js';
export { alterColumns, changeColumnType, dropNotNull, setColumnComment, type AlterColumnsOptions, type ColumnChangeSpec, type ColumnPosition } from './change-column.js';
export { ALLOWED_CHANGES, isWritableWidening } from './widening-rules.js';
export { commitMetadataChange, type AlterOptions, type MetadataChange } from './commit.js';
export { clusteringColumnPaths, CLUSTERING_DOMAIN } from './dependents.js';
export { describeDetail, locationOf, tableFeatures, type TableDetail } from './detail.js';
export { formatColumnPath, parseColumnPath, quotedColumnPath, toPath, type ColumnRef } from './paths.js';
export { enableColumnMapping, normalizePropertyKey, setTableProperties, unsetTableProperties, validateProperties, type UnsetPropertiesOptions } from './properties.js';
export { dropColumns, renameColumn, type DropColumnsOptions } from './rename-drop.js';
