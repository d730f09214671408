/**
 * Auto Loader's schema location: every schema the stream has used, versioned, as
 * `<schemaLocation>/_schemas/<n>` (n = 0, 1, ...), each `v1` then one JSON line
 * `{"dataSchemaJson":"<Spark StructType JSON>","partitionSchemaJson":"<...>"}`. The latest
 * version is the stream's schema; a new column (addNewColumns) writes the next version before
 * the stream fails, so the restart reads it. Written put-if-absent: two streams sharing a schema
 * location lose the race loudly.
 */
import { DeltaError, parseSchemaString, schemaToString, type ObjectStore, type StructType } from '@deltakit/core';
import { MetadataLog } from '../../checkpoint/metadata-log.js';

export interface StoredSchema {
  readonly version: number;
  readonly dataSchema: StructType;
  readonly partitionSchema: StructType;
}

export class SchemaStore {
  readonly #log: MetadataLog;

  constructor(store: ObjectStore, schemaLocation: string) {
    this.#log = new MetadataLog(store, `${schemaLocation}/_schemas`, '_schemas', 1);
  }

  get dir(): string {
    return this.#log.dir;
  }

  async latest(): Promise<StoredSchema | undefined> {
    const version = await this.#log.latest();
    if (version === undefined) return undefined;
    const text = (await this.#log.get(version))!;
    try {
      const json = JSON.parse(text.trim()) as { dataSchemaJson: string; partitionSchemaJson?: string };
      return { version, dataSchema: parseSchemaString(json.dataSchemaJson), partitionSchema: json.partitionSchemaJson ? parseSchemaString(json.partitionSchemaJson) : { kind: 'struct', fields: [] } };
    } catch (e) {
      throw new DeltaError('CORRUPT_CHECKPOINT', `The schema file ${this.dir}/${version} cannot be read: ${e instanceof Error ? e.message : String(e)}. Restore it, or remove it to go back to the previous version.`, { cause: e, details: { path: `${this.dir}/${version}` } });
    }
  }

  /** Writes `version`; CONCURRENT_QUERY when another stream wrote it first. */
  async write(version: number, dataSchema: StructType, partitionSchema: StructType): Promise<void> {
    const line = JSON.stringify({ dataSchemaJson: schemaToString(dataSchema), partitionSchemaJson: schemaToString(partitionSchema) });
    if (!(await this.#log.add(version, `v1\n${line}`))) {
      throw new DeltaError('CONCURRENT_QUERY', `${this.dir}/${version} was written by another stream: two Auto Loader streams share this schema location. Give each stream its own cloudFiles.schemaLocation.`, { details: { path: `${this.dir}/${version}` } });
    }
  }
}
