/**
 * Resolving the requested bounds to a range of commit versions, as Delta Spark does:
 * - a starting timestamp resolves to the first version committed at or after it; one after the
 *   latest commit is TIMESTAMP_OUT_OF_RANGE, or an empty feed with `allowOutOfRangeTimestamp`;
 * - an ending timestamp resolves to the last version committed at or before it; one before the
 *   earliest commit is TIMESTAMP_OUT_OF_RANGE; one after the latest commit gives the latest;
 * - two timestamps between the same pair of commits give an empty feed (start = end + 1); a start
 *   after the end is INVALID_ARGUMENT;
 * - every version of the range needs its commit file, and the start version must be
 *   reconstructable (its schema and properties are checked): VERSION_NOT_FOUND names the range
 *   that can be read.
 */
import { DeltaError, isDeltaError, type Engine } from '@deltakit/core';
import { availableRange, resolveVersionAtOrAfterTimestamp, resolveVersionAtTimestamp, type LogListing } from '@deltakit/core/internal';
import type { Bound, Bounds } from './options.js';

/** The versions to read; `start > end` (start = end + 1) means the feed is empty. */
export interface VersionRange {
  readonly start: number;
  readonly end: number;
}

/** The versions whose changes can be read: contiguous commit files, from a reconstructable start. */
export interface ReadableVersions {
  readonly earliest: number;
  readonly latest: number;
}

export interface ResolveOptions {
  readonly allowOutOfRangeTimestamp: boolean;
  readonly signal: AbortSignal | undefined;
}

/** The versions a change feed of this listing can cover, or undefined when there is none. */
export function readableVersions(listing: LogListing): ReadableVersions | undefined {
  const range = availableRange(listing);
  if (range === undefined || !range.reconstructable) return undefined;
  let latest = -1;
  for (const v of listing.commits.keys()) latest = Math.max(latest, v);
  if (latest < range.earliest) return undefined;
  let earliest = latest;
  while (earliest > range.earliest && listing.commits.has(earliest - 1)) earliest--;
  return { earliest, latest };
}

export async function resolveRange(engine: Engine, tableRoot: string, listing: LogListing, bounds: Bounds, options: ResolveOptions): Promise<VersionRange> {
  const readable = readableVersions(listing);
  if (readable === undefined) {
    throw new DeltaError(
      'VERSION_NOT_FOUND',
      `The table at ${tableRoot} has no commit files from which a change data feed can be read (its log holds only checkpoints, or starts without one). Changes are recorded in commit files; they cannot be recovered once those are cleaned up.`,
      { details: { tableRoot } },
    );
  }
  const { start: startBound, end: endBound } = bounds;
  if (startBound.kind === 'version' && endBound?.kind === 'version' && startBound.version > endBound.version) {
    throw startAfterEnd(startBound.version, endBound.version);
  }
  const start = await resolveStart(engine, tableRoot, startBound, readable, options);
  if (start === undefined) return { start: readable.latest + 1, end: readable.latest };
  const end = endBound === undefined ? readable.latest : await resolveEnd(engine, tableRoot, endBound, readable, options.signal);
  if (start > end) {
    // Two timestamps between the same two commits select no commit: an empty feed, as in Spark.
    if (startBound.kind === 'timestamp' && endBound?.kind === 'timestamp' && startBound.ms <= endBound.ms && start === end + 1) return { start, end };
    throw startAfterEnd(start, end, describe(startBound), endBound === undefined ? 'the latest version' : describe(endBound));
  }
  return { start, end };
}

async function resolveEnd(engine: Engine, tableRoot: string, bound: Bound, readable: ReadableVersions, signal: AbortSignal | undefined): Promise<number> {
  if (bound.kind === 'timestamp') return resolveVersionAtTimestamp(engine, tableRoot, bound.ms, signal ? { signal } : {});
  if (bound.version > readable.latest) throw notReadable(tableRoot, 'endingVersion', bound.version, readable);
  return bound.version;
}

/** The start version, or undefined for an empty feed (a start timestamp after the latest commit, when allowed). */
async function resolveStart(engine: Engine, tableRoot: string, bound: Bound, readable: ReadableVersions, options: ResolveOptions): Promise<number | undefined> {
  let version: number;
  if (bound.kind === 'version') version = bound.version;
  else {
    try {
      version = await resolveVersionAtOrAfterTimestamp(engine, tableRoot, bound.ms, options.signal ? { signal: options.signal } : {});
    } catch (e) {
      const afterLatest = isDeltaError(e, 'TIMESTAMP_OUT_OF_RANGE') && e.details.latestVersion !== undefined;
      if (afterLatest && options.allowOutOfRangeTimestamp) return undefined;
      if (afterLatest) {
        throw new DeltaError('TIMESTAMP_OUT_OF_RANGE', `${(e as DeltaError).message} Pass allowOutOfRangeTimestamp: true to get an empty change feed instead.`, {
          cause: e,
          details: (e as DeltaError).details,
        });
      }
      throw e;
    }
  }
  if (version > readable.latest || version < readable.earliest) throw notReadable(tableRoot, 'startingVersion', version, readable);
  return version;
}

function describe(bound: Bound): string {
  return bound.kind === 'version' ? `version ${bound.version}` : `timestamp ${isoOf(bound.ms)}`;
}

function isoOf(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

function startAfterEnd(start: number, end: number, startFrom?: string, endFrom?: string): DeltaError {
  const how = startFrom === undefined ? '' : ` (resolved from ${startFrom} and ${endFrom})`;
  return new DeltaError(
    'INVALID_ARGUMENT',
    `The change data feed range starts at version ${start}, after its end version ${end}${how}: the start must not be after the end. Swap the bounds or choose a later end.`,
    { details: { startVersion: start, endVersion: end } },
  );
}

function notReadable(tableRoot: string, option: string, version: number, readable: ReadableVersions): DeltaError {
  const why =
    version > readable.latest
      ? `the table's latest version is ${readable.latest}`
      : `the commit files before version ${readable.earliest} were cleaned up (or that version cannot be reconstructed from a checkpoint), and changes are recorded only in commit files`;
  return new DeltaError(
    'VERSION_NOT_FOUND',
    `${option} ${version} of the table at ${tableRoot} cannot be read as a change data feed: ${why}. Changes can be read for versions ${readable.earliest} to ${readable.latest}; choose a version in that range.`,
    { details: { tableRoot, version, earliestVersion: readable.earliest, latestVersion: readable.latest } },
  );
}
