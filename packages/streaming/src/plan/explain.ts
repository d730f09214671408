/** `explain()`: the analyzed plan as an indented operator tree with each node's output columns. */
import { printExpr } from '@deltakit/core';
import { typeText } from '@deltakit/core/internal';
import type { Analyzed } from './analyze.js';

export function explainPlan(root: Analyzed): string {
  const lines: string[] = [];
  const walk = (n: Analyzed, depth: number) => {
    const cols = n.schema.fields.map((f) => `${f.name}: ${typeText(f.type)}`).join(', ');
    lines.push(`${depth === 0 ? '' : ' '.repeat(depth * 3 - 3) + '+- '}${describe(n)} [${cols}]`);
    for (const c of children(n)) walk(c, depth + 1);
  };
  walk(root, 0);
  return lines.join('\n');
}

function describe(n: Analyzed): string {
  switch (n.kind) {
    case 'scan':
      return `${n.streaming ? 'StreamingRelation' : 'Relation'} ${n.relation.kind}${n.leaf.spec.path ? ` ${n.leaf.spec.path}` : ''}`;
    case 'project':
      return `Project ${n.outputs.map((o) => `${printExpr(o.expr)} AS ${o.name}`).join(', ')}`;
    case 'filter':
      return `Filter ${printExpr(n.condition)}`;
    case 'union':
      return 'Union';
    case 'join':
      return `Join ${n.how}${n.condition ? ` ${printExpr(n.condition)}` : ''}${n.usingColumns.length ? ` USING (${n.usingColumns.join(', ')})` : ''}`;
    case 'watermark':
      return `EventTimeWatermark ${n.column}, ${n.delayMs} ms`;
    case 'aggregate':
      return `Aggregate [${n.keys.map((k) => (k.window ? `window(${printExpr(k.expr)})` : printExpr(k.expr))).join(', ')}], [${n.aggregates.map((a) => `${a.spec.kind}(${a.args.length === 0 ? '*' : printExpr(a.args[0]!)}) AS ${a.name}`).join(', ')}]`;
    case 'dedup':
      return `Deduplicate [${n.columns.join(', ')}]`;
    case 'sort':
      return `Sort [${n.orders.map((o) => `${printExpr(o.expr)} ${o.ascending ? 'ASC' : 'DESC'} NULLS ${o.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ')}]`;
    case 'groupState':
      return `FlatMapGroupsWithState [${n.keys.join(', ')}] ${n.spec.outputMode}, ${n.spec.timeout}`;
    case 'limit':
      return `Limit ${n.n}`;
    case 'timeWindow':
      return `TimeWindow ${printExpr(n.time)} AS ${n.column}`;
  }
}

function children(n: Analyzed): readonly Analyzed[] {
  switch (n.kind) {
    case 'scan':
      return [];
    case 'union':
      return n.children;
    case 'join':
      return [n.left, n.right];
    default:
      return [n.child];
  }
}
