import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

/**
 * The shared, read-only fixture tables beside the repository (`../shared/fixtures` from the repo
 * root). Tests read them in place; they are never copied into the repository.
 */
export const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));
export const HAVE_FIXTURES = existsSync(FIXTURES);
export const SKIP_REASON = `shared fixtures not found at ${FIXTURES}: tests over Spark/delta-rs tables are skipped (place the shared/ folder beside the repository to run them)`;

/** `describe` that skips (saying why) when the shared fixtures are absent. */
export function describeFixtures(name: string, fn: () => void): void {
  if (!HAVE_FIXTURES) {
    describe.skip(`${name} [${SKIP_REASON}]`, fn);
    console.warn(SKIP_REASON);
    return;
  }
  describe(name, fn);
}

export const golden = (name: string) => `${FIXTURES}/golden/${name}/delta`;
export const goldenExpected = (name: string) => `${FIXTURES}/golden/${name}/expected`;
export const kernel = (name: string) => `${FIXTURES}/kernel/${name}`;
export const deltaRs = (name: string) => `${FIXTURES}/delta-rs/${name}`;
export const expectedJson = (name: string) => `${FIXTURES}/expected/${name}.json`;
