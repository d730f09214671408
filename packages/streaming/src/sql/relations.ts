/**
 * The relations of a FROM clause as batch DataFrames: path tables (``delta.`p` `` with time
 * travel, ``parquet.`p` ``, ``json.`p` `` as JSON lines, ``csv.`p` `` with a header row) through
 * the batch readers, and `table_changes('p', start[, end])` through `@deltakit/cdf` as a relation
 * given as is. Timestamps written without a zone are in the session time zone, as Spark reads them.
 */
import { arrowToDeltaSchema, DeltaError, DeltaTable, type Span } from '@deltakit/core';
import { parseTimestamp } from '@deltakit/core/internal';
import { tableChanges, type TableChangesOptions } from '@deltakit/cdf';
import type { ChangeBound, FromItem, TimeTravel } from '@deltakit/merge';
import { DataFrame } from '../api/dataframe.js';
import { readerFor } from '../api/reader.js';
import type { Session } from '../api/session.js';
import { leaf } from '../plan/logical.js';
import type { ResolvedRelation } from '../sources/source.js';
import { sqlError } from './scope.js';

type TableItem = Extract<FromItem, { kind: 'table' }>;
type ChangesItem = Extract<FromItem, { kind: 'tableChanges' }>;

/** A path table (with its time travel) as a batch DataFrame. */
export function tableFrame(item: TableItem, session: Session, source: string): DataFrame {
  let reader = readerFor(session).read.format(item.table.format);
  if (item.table.format === 'csv') reader = reader.option('header', 'true');
  const travel: TimeTravel | undefined = item.timeTravel;
  if (travel !== undefined) {
    reader = 'version' in travel ? reader.option('versionAsOf', travel.version) : reader.option('timestampAsOf', isoInstant(travel.timestamp, session.timeZone, item.span, source));
  }
  return reader.load(item.table.path);
}

/** `table_changes(...)`: the change data feed, planned (range checked, schema known) before any data is read. */
export async function tableChangesFrame(item: ChangesItem, session: Session, source: string, signal: AbortSignal | undefined): Promise<DataFrame> {
  const options: TableChangesOptions = {
    ...bound(item.start, 'starting', session.timeZone, item.span, source),
    ...(item.end === undefined ? {} : bound(item.end, 'ending', session.timeZone, item.span, source)),
    ...(signal ? { signal } : {}),
  };
  const table = DeltaTable.forPath(item.path, { engine: session.engine, sessionTimeZone: session.timeZone });
  const changes = tableChanges(table, options);
  const plan = await changes.plan();
  const relation: ResolvedRelation = {
    kind: 'table_changes',
    schema: arrowToDeltaSchema(plan.schema),
    hidden: [],
    read: () => changes.batches(),
  };
  return new DataFrame(leaf({ format: 'relation', options: {}, path: item.path, instance: relation }, false), session);
}

function bound(b: ChangeBound, which: 'starting' | 'ending', timeZone: string, span: Span, source: string): TableChangesOptions {
  if ('version' in b) return which === 'starting' ? { startingVersion: b.version } : { endingVersion: b.version };
  const at = new Date(isoInstant(b.timestamp, timeZone, span, source));
  return which === 'starting' ? { startingTimestamp: at } : { endingTimestamp: at };
}

/** Timestamp text (zone-less: in the session zone) as an ISO instant in UTC. */
function isoInstant(text: string, timeZone: string, span: Span, source: string): string {
  const micros = parseTimestamp(text, timeZone);
  if (micros === undefined) throw sqlError('INVALID_ARGUMENT', `'${text}' is not a timestamp`, span, source);
  const ms = Number(micros / 1000n);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new DeltaError('INVALID_ARGUMENT', `'${text}' is out of the range of timestamps.`);
  return new Date(ms).toISOString();
}
