import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/**
 * The shared, read-only fixture tables beside the repository (`../shared/fixtures` from the repo
 * root). Tests read them in place; they are never copied into the repository.
 * `DELTAKIT_SHARED_FIXTURES` points elsewhere (used to check the suite without them).
 */
export const FIXTURES = process.env.DELTAKIT_SHARED_FIXTURES ?? fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));
export const HAVE_FIXTURES = existsSync(FIXTURES);
export const SKIP_REASON = `shared fixtures not found at ${FIXTURES}: tests over Spark/delta-rs tables are skipped (place the shared/ folder beside the repository to run them)`;

/**
 * `describe` over the shared fixtures. Without them the body is not run at all (vitest would
 * still run a skipped suite's body to collect it, and bodies read fixture directories); one
 * skipped test carries the reason instead.
 */
export function describeFixtures(name: string, fn: () => void): void {
  if (!HAVE_FIXTURES) {
    describe(name, () => it.skipIf(true)(SKIP_REASON, () => undefined));
    return;
  }
  describe(name, fn);
}

export const kernel = (name: string) => `${FIXTURES}/kernel/${name}`;
export const deltaRs = (name: string) => `${FIXTURES}/delta-rs/${name}`;
export const EXPECTED_DIR = `${FIXTURES}/expected`;
