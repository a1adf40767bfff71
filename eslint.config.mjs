// ESLint for the TypeScript tree (README "Checks"), run by `npm run lint:code` (part of `npm test`).
// Type-aware: promises nobody awaits and promises passed where a plain value is expected are errors;
// so is unused code. workflows/ is bundled and replayed by the Temporal worker: it may not import Node
// built-ins, nor anything outside workflows/ except `import type` of the activity factory.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const builtinMessage = 'workflows/ runs in the deterministic workflow sandbox: no Node built-ins.';
const outsideMessage =
  'workflows/ imports nothing outside workflows/ (the worker bundles workflows/index.ts); ' +
  'only `import type` of the activity factory (activities/index.ts) is allowed.';

/**
 * no-restricted-imports matches the import string, not the resolved file, so "outside workflows/"
 * is a relative path that climbs out of it: `../` from workflows/index.ts, `../../` from
 * workflows/<folder>/x.ts, and so on.
 */
function workflowImportRule(depth) {
  const up = '\\.\\./'.repeat(depth);
  return [
    'error',
    {
      paths: builtinModules.map((name) => ({ name, message: builtinMessage })),
      patterns: [
        { group: ['node:*'], message: builtinMessage },
        { regex: `^${up}activities(/index)?$`, allowTypeImports: true, message: outsideMessage },
        { regex: `^${up}(?!activities(/index)?$)`, message: outsideMessage },
      ],
    },
  ];
}

export default tseslint.config(
  {
    ignores: ['node_modules/', 'data/', 'test-output/', '.cache/', '**/*.js', '**/*.cjs', '**/*.mjs'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-unused-expressions': 'error',
      // A promise returned from inside try/catch without await escapes the catch.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/no-array-delete': 'error',
      // A variable a closure reads before its one assignment (a harness that an activity wrapper
      // captures before the harness exists) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Pacer strips control characters from stored, searched and parsed text on purpose
      // (storable-text, schemas, mail-text, search-types): every such regex is that filter.
      'no-control-regex': 'off',
    },
  },
  {
    // Migrations take Kysely<any>: a migration must not depend on today's schema types.
    files: ['migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['workflows/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': workflowImportRule(1) },
  },
  {
    files: ['workflows/*/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': workflowImportRule(2) },
  },
  {
    files: ['workflows/*/*/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': workflowImportRule(3) },
  },
);
