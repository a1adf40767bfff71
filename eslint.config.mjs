// ESLint for the TypeScript tree (README "Checks"), run by `npm run lint:code` (part of `npm test`).
// Type-aware: promises nobody awaits and promises passed where a plain value is expected are errors;
// so is unused code, and in test/ an `it` longer than 30 lines (pacer/it-max-lines, below). workflows/ is bundled and replayed by the Temporal worker: it may not import Node
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

/** The longest `it` callback a test may have, in lines, its first and last included (issue 11: tests read like specifications). */
const MAX_IT_LINES = 30;

/**
 * pacer/it-max-lines: an `it` (or `it.only`/`it.skip`) whose callback spans more than
 * MAX_IT_LINES lines is reported. A long scenario becomes a `describe` with a `before` and one
 * `it` per idea, or its set-up moves into a typed fixture or helper.
 */
const itMaxLines = {
  meta: { type: 'suggestion', schema: [{ type: 'integer', minimum: 1 }], messages: { long: 'this `it` spans {{lines}} lines (at most {{max}}): move set-up into a typed fixture or split it by idea' } },
  create(context) {
    const max = context.options[0] ?? MAX_IT_LINES;
    const isIt = (callee) =>
      (callee.type === 'Identifier' && callee.name === 'it') ||
      (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && callee.object.name === 'it' && callee.property.type === 'Identifier' && ['only', 'skip'].includes(callee.property.name));
    return {
      CallExpression(node) {
        if (!isIt(node.callee)) return;
        const fn = node.arguments.find((a) => a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression');
        if (!fn) return;
        const lines = fn.loc.end.line - fn.loc.start.line + 1;
        if (lines > max) context.report({ node: node.callee, messageId: 'long', data: { lines: String(lines), max: String(max) } });
      },
    };
  },
};

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
    files: ['test/**/*.ts'],
    plugins: { pacer: { rules: { 'it-max-lines': itMaxLines } } },
    rules: { 'pacer/it-max-lines': ['error', MAX_IT_LINES] },
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
