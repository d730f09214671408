/**
 * MERGE clauses as the builder records them, and the structural checks Spark's analyzer makes
 * before anything is resolved (`DeltaMergeInto.apply`): at least one clause, and within each group
 * (MATCHED, NOT MATCHED, NOT MATCHED BY SOURCE) only the last clause may omit its condition.
 */
import { DeltaError, type Expr } from '@deltakit/core';

/** SQL text (parsed with the session time zone) or an expression tree. */
export type ExprInput = string | Expr;

/** Target column (`name`, nested `a.b`, back-quoted `` `a.b` `` for a name with a dot) to value. */
export type Assignments = Readonly<Record<string, ExprInput>>;

export type MatchedClause =
  | { readonly kind: 'update'; readonly condition?: ExprInput; readonly set: Assignments }
  | { readonly kind: 'updateAll'; readonly condition?: ExprInput }
  | { readonly kind: 'delete'; readonly condition?: ExprInput };

export type NotMatchedClause =
  | { readonly kind: 'insert'; readonly condition?: ExprInput; readonly values: Assignments }
  | { readonly kind: 'insertAll'; readonly condition?: ExprInput };

export type NotMatchedBySourceClause =
  | { readonly kind: 'update'; readonly condition?: ExprInput; readonly set: Assignments }
  | { readonly kind: 'delete'; readonly condition?: ExprInput };

export interface MergeClauses {
  readonly matched: readonly MatchedClause[];
  readonly notMatched: readonly NotMatchedClause[];
  readonly notMatchedBySource: readonly NotMatchedBySourceClause[];
}

export const NO_CLAUSES: MergeClauses = { matched: [], notMatched: [], notMatchedBySource: [] };

/** Spark's action type name of a clause, as recorded in commitInfo (`update`, `delete`, `insert`). */
export function actionType(c: MatchedClause | NotMatchedClause | NotMatchedBySourceClause): 'update' | 'delete' | 'insert' {
  return c.kind === 'updateAll' ? 'update' : c.kind === 'insertAll' ? 'insert' : c.kind;
}

/** Throws INVALID_ARGUMENT (with Spark's error class in `details.errorClass`) for a malformed clause list. */
export function validateClauses(clauses: MergeClauses): void {
  const { matched, notMatched, notMatchedBySource } = clauses;
  if (matched.length + notMatched.length + notMatchedBySource.length === 0) {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      'A MERGE needs at least one WHEN clause; nothing was done. Add whenMatchedUpdate/whenMatchedDelete, whenNotMatchedInsert or whenNotMatchedBySource… before execute().',
      { details: { errorClass: 'DELTA_MERGE_MISSING_WHEN' } },
    );
  }
  checkGroup(matched, 'MATCHED', 'DELTA_NON_LAST_MATCHED_CLAUSE_OMIT_CONDITION');
  checkGroup(notMatched, 'NOT MATCHED', 'DELTA_NON_LAST_NOT_MATCHED_CLAUSE_OMIT_CONDITION');
  checkGroup(notMatchedBySource, 'NOT MATCHED BY SOURCE', 'DELTA_NON_LAST_NOT_MATCHED_BY_SOURCE_CLAUSE_OMIT_CONDITION');
}

function checkGroup(group: readonly { readonly condition?: ExprInput }[], name: string, errorClass: string): void {
  const i = group.slice(0, -1).findIndex((c) => c.condition === undefined);
  if (i < 0) return;
  throw new DeltaError(
    'INVALID_ARGUMENT',
    `WHEN ${name} clause ${i + 1} of ${group.length} has no condition, but only the last ${name} clause may omit its condition (a clause without one takes every row, so the clauses after it could never apply); nothing was done. Give clause ${i + 1} a condition or move it last.`,
    { details: { errorClass, clause: i + 1 } },
  );
}
