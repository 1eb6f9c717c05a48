// ESLint (flat config): the recommended JavaScript and typescript-eslint rules over tools/, formatting left to
// prettier (eslint-config-prettier turns off every rule it would fight). `npm run lint`.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const nodeGlobals = Object.fromEntries(
  [
    'require',
    'module',
    'exports',
    '__dirname',
    '__filename',
    'process',
    'console',
    'Buffer',
    'setTimeout',
    'clearTimeout',
    'URL',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig([
  globalIgnores(['**/node_modules/', '**/dist/', '.nx/', 'tmp/', '.lucid/', '**/__fixtures__/', 'apps/', 'libs/']),
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // Lazy require() keeps rarely used heavy modules (ajv, nx internals) off the graph's load path.
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Control characters are matched on purpose: ANSI escapes stripped from tool output, names refused.
      'no-control-regex': 'off',
    },
  },
  {
    // The plugin's functions stay short enough to read whole: split along their own steps (docs/ARCHITECTURE.md).
    files: ['tools/nx-lucid/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/testing/**', '**/test-support.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    // Specs read YAML and JSON of arbitrary shape.
    files: ['**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: nodeGlobals },
  },
  {
    files: ['tools/nx-lucid/jest/*.js'],
    languageOptions: { globals: { jest: 'readonly' } },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: nodeGlobals },
  },
  prettier,
]);
