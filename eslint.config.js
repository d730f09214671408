// Lint enforces the architecture's boundaries:
// - parquet-wasm (and its FFI companion) only in packages/delta-core/src/parquet/
// - node:fs only in the local object store
// - no package imports another package's internals (only its public entry points)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const parquetOnly = {
  paths: [
    { name: 'parquet-wasm', message: 'parquet-wasm is imported only by packages/delta-core/src/parquet/.' },
    { name: 'arrow-js-ffi', message: 'arrow-js-ffi is imported only by packages/delta-core/src/parquet/.' },
    { name: 'hyparquet', message: 'hyparquet is imported only by packages/delta-core/src/parquet/.' },
  ],
};
const fsOnly = [
  { name: 'node:fs', message: 'node:fs is imported only by storage/local-store.ts; go through the ObjectStore.' },
  { name: 'node:fs/promises', message: 'node:fs is imported only by storage/local-store.ts; go through the ObjectStore.' },
  { name: 'fs', message: 'node:fs is imported only by storage/local-store.ts.' },
  { name: 'fs/promises', message: 'node:fs is imported only by storage/local-store.ts.' },
];
const internals = {
  // `../../../src/*` is a package's own sources seen from test/<area>/<sub>/ (not another package).
  group: ['@deltakit/*/src/*', '@deltakit/*/dist/*', '../../*/src/*', '!../../../src/*', '../../../packages/*/src/*'],
  message: 'Import other packages through their public entry point (e.g. @deltakit/core), never their internals.',
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [...parquetOnly.paths, ...fsOnly], patterns: [internals] }] },
  },
  {
    files: ['packages/delta-core/src/parquet/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: fsOnly, patterns: [internals] }] },
  },
  {
    files: ['packages/delta-core/src/storage/local-store.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: parquetOnly.paths, patterns: [internals] }] },
  },
  {
    files: ['packages/*/test/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: parquetOnly.paths, patterns: [internals] }] },
  },
);
