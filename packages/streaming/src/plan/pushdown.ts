/**
 * Filter and projection pushdown into relations that take them (`ResolvedRelation.pushdown`: a
 * Delta table's batch read), for batch executions. A filter right over such a scan is handed to
 * the scan (so Delta skips files by partition values and statistics; the filter stays in the plan,
 * so rows are exact either way), and when a projection or an aggregation sits over the scan (or
 * over filters on it), the scan reads only the columns they and the filters name: the scan node
 * gets a narrower schema, and the operators above, which bind their expressions by name when they
 * run, read the same columns from it.
 *
 * Only for batch executions: a micro-batch's leaves are read by the engine, not by `read`.
 */
import { referencedColumns, struct, type Expr, type StructField } from '@deltakit/core';
import type { Analyzed } from './analyze.js';

type Scan = Extract<Analyzed, { kind: 'scan' }>;

/** The plan with pushable filters and column lists handed to the scans below them. */
export function pushDown(node: Analyzed): Analyzed {
  switch (node.kind) {
    case 'scan':
      return node;
    case 'project': {
      const chain = filtersOverScan(node.child);
      if (chain !== undefined) return { ...node, child: narrow(chain, node.outputs.map((o) => o.expr)) };
      return { ...node, child: pushDown(node.child) };
    }
    case 'aggregate': {
      const chain = filtersOverScan(node.child);
      // Session keys may compute their gap per row from other columns: those are read too.
      const gaps = node.keys.flatMap((k) => (k.session?.gapExpr ? [k.session.gapExpr] : []));
      if (chain !== undefined) return { ...node, child: narrow(chain, [...node.keys.map((k) => k.expr), ...gaps, ...node.aggregates.flatMap((a) => a.args)]) };
      return { ...node, child: pushDown(node.child) };
    }
    case 'filter': {
      const chain = filtersOverScan(node);
      if (chain !== undefined) return narrow(chain, undefined);
      return { ...node, child: pushDown(node.child) };
    }
    case 'union':
      return { ...node, children: node.children.map(pushDown) };
    case 'join':
      return { ...node, left: pushDown(node.left), right: pushDown(node.right) };
    case 'watermark':
    case 'dedup':
    case 'sort':
    case 'limit':
    case 'groupState':
    case 'timeWindow':
      return { ...node, child: pushDown(node.child) } as Analyzed;
  }
}

interface Chain {
  /** Filters from the top down. */
  readonly filters: readonly Extract<Analyzed, { kind: 'filter' }>[];
  readonly scan: Scan;
}

/** `filter* → scan` of a relation that takes pushdown (and has no hidden columns). */
function filtersOverScan(node: Analyzed): Chain | undefined {
  const filters: Extract<Analyzed, { kind: 'filter' }>[] = [];
  let n = node;
  while (n.kind === 'filter') {
    filters.push(n);
    n = n.child;
  }
  if (n.kind !== 'scan' || n.relation.pushdown !== true || n.hidden.size > 0 || n.streaming || n.relation.read === undefined) return undefined;
  return { filters, scan: n };
}

/**
 * The chain with its scan reading only what `uses` (undefined: every column) and the filters
 * name, and the filters' conjunction pushed into the read.
 */
function narrow(chain: Chain, uses: readonly Expr[] | undefined): Analyzed {
  const { scan, filters } = chain;
  const conditions = filters.map((f) => f.condition);
  let fields: readonly StructField[] = scan.schema.fields;
  if (uses !== undefined) {
    const named = new Set<string>();
    for (const e of [...uses, ...conditions]) for (const path of referencedColumns(e)) named.add(path[0]!.toLowerCase());
    const kept = scan.schema.fields.filter((f) => named.has(f.name.toLowerCase()));
    // An aggregation that names no column (`count(*)`) still needs the rows: read one column.
    fields = kept.length > 0 ? kept : scan.schema.fields.slice(0, 1);
  }
  const filter: Expr | undefined = conditions.length === 0 ? undefined : conditions.length === 1 ? conditions[0] : { kind: 'and', args: conditions };
  const columns = fields.length === scan.schema.fields.length ? undefined : fields.map((f) => f.name);
  if (filter === undefined && columns === undefined) return filters[0] ?? scan;
  const relation = scan.relation;
  const schema = columns === undefined ? scan.schema : struct([...fields]);
  const pushed: Scan = {
    ...scan,
    schema,
    relation: {
      ...relation,
      schema,
      read: (ctx) => relation.read!(ctx, { ...(columns ? { columns } : {}), ...(filter ? { filter } : {}) }),
    },
  };
  let out: Analyzed = pushed;
  for (const f of [...filters].reverse()) out = { ...f, child: out, schema };
  return out;
}
