/**
 * `sql(text)`: a `SELECT` query as a batch DataFrame, as PySpark's `spark.sql`. The statement is
 * parsed at once (PARSE_ERROR with a caret); names, types and the tables' schemas are checked
 * when the DataFrame is analyzed (`schema()`, `collect()`, ...), like any DataFrame.
 *
 * The query becomes one relation of format `sql`: resolving it plans the query (plan-select.ts)
 * and analyzes the plan; reading it runs the plan with filters and columns pushed into Delta
 * scans (plan/pushdown.ts). Its columns carry the query's output names, which may repeat
 * (`SELECT a.id, b.id`), as in Spark.
 */
import { DeltaError, struct, type ParseOptions } from '@deltakit/core';
import { parseStatement, type SelectStatement } from '@deltakit/merge';
import { DataFrame, visibleOnly } from '../api/dataframe.js';
import { getDefaultSession, type Session } from '../api/session.js';
import { visibleSchema } from '../plan/analyze.js';
import { leaf } from '../plan/logical.js';
import { pushDown } from '../plan/pushdown.js';
import { execute } from '../operators/execute.js';
import { registerSource } from '../sources/registry.js';
import type { ResolvedRelation, SourceProvider } from '../sources/source.js';
import { planQuery } from './plan-select.js';

export interface SqlQueryOptions {
  /** The session whose engine and time zone the query uses; the default session otherwise. */
  readonly session?: Session;
}

interface SqlInstance {
  readonly statement: SelectStatement;
  readonly text: string;
  readonly session: Session;
}

/**
 * Runs a `SELECT` over path tables and files: ``delta.`path` `` (with `VERSION AS OF` /
 * `TIMESTAMP AS OF`), ``parquet.`path` ``, ``json.`path` ``, ``csv.`path` ``,
 * `table_changes('path', start[, end])`, subqueries, joins, WHERE, GROUP BY, HAVING, ORDER BY,
 * LIMIT, DISTINCT and UNION [ALL].
 *
 * @example
 * const rows = await sql("SELECT country, count(*) AS n FROM delta.`./events` WHERE day >= '2024-01-01' GROUP BY country ORDER BY n DESC LIMIT 10").collect();
 */
export function sql(text: string, options: SqlQueryOptions = {}): DataFrame {
  const session = options.session ?? getDefaultSession();
  const parseOptions: ParseOptions = { timeZone: session.timeZone };
  const statement = parseStatement(text, parseOptions);
  if (statement.kind !== 'select') {
    throw new DeltaError('UNSUPPORTED_OPERATION', `sql() runs SELECT queries; this is a ${statement.kind} statement. Run it with executeSql from @deltakit/merge (or deltakit sql).`, { details: { statement: statement.kind } });
  }
  registerSource(sqlProvider);
  const instance: SqlInstance = { statement, text, session };
  return new DataFrame(leaf({ format: 'sql', options: {}, instance }, false), session);
}

const sqlProvider: SourceProvider = {
  formats: ['sql'],
  async resolve(spec, _streaming, ctx): Promise<ResolvedRelation> {
    const { statement, text, session } = spec.instance as SqlInstance;
    const planned = await planQuery(statement.query, { session, source: text, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const analyzed = await planned.df.analyze(ctx.signal);
    const visible = visibleSchema(analyzed);
    const schema = struct(visible.fields.map((f, i) => ({ ...f, name: planned.names[i] ?? f.name })));
    return {
      kind: 'sql',
      schema,
      hidden: [],
      async *read(readCtx) {
        const node = pushDown(analyzed);
        const exec = {
          input: (scan: Extract<typeof node, { kind: 'scan' }>) => scan.relation.read!({ engine: session.engine, timeZone: session.timeZone, ...(readCtx.signal ? { signal: readCtx.signal } : {}) }),
          timeZone: session.timeZone,
          nowMicros: BigInt(session.engine.clock.nowMs()) * 1000n,
          ...(readCtx.signal ? { signal: readCtx.signal } : {}),
        };
        yield* visibleOnly(node, execute(node, exec));
      },
    };
  },
};
