/**
 * Delta log actions with the protocol's exact field names. These are the parsed, validated forms:
 * optional fields that are absent or JSON `null` are `undefined`.
 *
 * Number policy: versions, sizes, row counts and millisecond timestamps are JS numbers; parsing
 * fails with PRECISION_LOSS instead of rounding a value beyond 2^53. `txn.version` is application
 * data of any 64-bit value, so it is a bigint.
 */

export interface Format {
  readonly provider: string;
  readonly options: Readonly<Record<string, string>>;
}

export interface Metadata {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  readonly format: Format;
  /** The schema as serialized JSON text; parse with `parseSchemaString`. */
  readonly schemaString: string;
  readonly partitionColumns: readonly string[];
  readonly createdTime?: number;
  readonly configuration: Readonly<Record<string, string>>;
}

export interface Protocol {
  readonly minReaderVersion: number;
  readonly minWriterVersion: number;
  readonly readerFeatures?: readonly string[];
  readonly writerFeatures?: readonly string[];
}

/** Storage type: `u` (relative path from a UUID), `i` (inline), `p` (absolute path). */
export type DeletionVectorStorageType = 'u' | 'i' | 'p';

export interface DeletionVectorDescriptor {
  readonly storageType: DeletionVectorStorageType;
  /** Never URI-decoded: for `u` and `i` it is Z85 text, for `p` an absolute URI. */
  readonly pathOrInlineDv: string;
  readonly offset?: number;
  readonly sizeInBytes: number;
  readonly cardinality: number;
}

export interface AddFile {
  /** As written in the log (URI-encoded, possibly relative). Resolve with `log/paths.ts`. */
  readonly path: string;
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly size: number;
  readonly modificationTime: number;
  readonly dataChange: boolean;
  /** Statistics as JSON text; parse lazily with `parseStats`. */
  readonly stats?: string;
  /** Statistics already parsed from a checkpoint's `stats_parsed` column, when present. */
  readonly statsParsed?: unknown;
  readonly tags?: Readonly<Record<string, string | null>>;
  readonly deletionVector?: DeletionVectorDescriptor;
  readonly baseRowId?: number;
  readonly defaultRowCommitVersion?: number;
  readonly clusteringProvider?: string;
}

export interface RemoveFile {
  readonly path: string;
  readonly deletionTimestamp?: number;
  readonly dataChange: boolean;
  readonly extendedFileMetadata?: boolean;
  readonly partitionValues?: Readonly<Record<string, string | null>>;
  readonly size?: number;
  readonly stats?: string;
  readonly tags?: Readonly<Record<string, string | null>>;
  readonly deletionVector?: DeletionVectorDescriptor;
  readonly baseRowId?: number;
  readonly defaultRowCommitVersion?: number;
}

export interface AddCDCFile {
  readonly path: string;
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly size: number;
  readonly dataChange: boolean;
  readonly tags?: Readonly<Record<string, string | null>>;
}

export interface SetTransaction {
  readonly appId: string;
  readonly version: bigint;
  readonly lastUpdated?: number;
}

/** Free-form provenance; the known fields are typed, everything else is kept as parsed. */
export interface CommitInfo {
  readonly timestamp?: number;
  readonly inCommitTimestamp?: number;
  readonly operation?: string;
  readonly operationParameters?: Readonly<Record<string, unknown>>;
  readonly operationMetrics?: Readonly<Record<string, unknown>>;
  readonly isolationLevel?: string;
  readonly isBlindAppend?: boolean;
  readonly readVersion?: number;
  readonly txnId?: string;
  readonly engineInfo?: string;
  readonly [key: string]: unknown;
}

export interface DomainMetadata {
  readonly domain: string;
  readonly configuration: string;
  readonly removed: boolean;
}

export interface CheckpointMetadata {
  readonly version: number;
  readonly tags?: Readonly<Record<string, string | null>>;
}

export interface Sidecar {
  readonly path: string;
  readonly sizeInBytes: number;
  readonly modificationTime: number;
  readonly tags?: Readonly<Record<string, string | null>>;
}

/** One line of a commit file or one row of a checkpoint, tagged by its wrapper key. */
export type Action =
  | { readonly kind: 'metaData'; readonly metaData: Metadata }
  | { readonly kind: 'protocol'; readonly protocol: Protocol }
  | { readonly kind: 'add'; readonly add: AddFile }
  | { readonly kind: 'remove'; readonly remove: RemoveFile }
  | { readonly kind: 'cdc'; readonly cdc: AddCDCFile }
  | { readonly kind: 'txn'; readonly txn: SetTransaction }
  | { readonly kind: 'commitInfo'; readonly commitInfo: CommitInfo }
  | { readonly kind: 'domainMetadata'; readonly domainMetadata: DomainMetadata }
  | { readonly kind: 'checkpointMetadata'; readonly checkpointMetadata: CheckpointMetadata }
  | { readonly kind: 'sidecar'; readonly sidecar: Sidecar };

export type ActionKind = Action['kind'];
