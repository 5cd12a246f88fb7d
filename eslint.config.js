import nx from '@nx/eslint-plugin';

// The type-aware rules (no-floating-promises, require-await) are in eslint.typed.config.js: they
// run once over the workspace (`nx run workspace:lint`), not once per project.

// Project tags encode ARCHITECTURE.md's "may import" column.
const depConstraints = [
  { sourceTag: 'layer:advisor', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'layer:simulator', onlyDependOnLibsWithTags: ['layer:advisor'] },
  { sourceTag: 'layer:manifests', onlyDependOnLibsWithTags: ['layer:advisor'] },
  { sourceTag: 'layer:fixes', onlyDependOnLibsWithTags: ['layer:advisor', 'layer:manifests'] },
  { sourceTag: 'layer:kube', onlyDependOnLibsWithTags: ['layer:advisor'] },
  { sourceTag: 'layer:store', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'layer:runtime', onlyDependOnLibsWithTags: [] },
  {
    sourceTag: 'layer:scans',
    onlyDependOnLibsWithTags: ['layer:advisor', 'layer:simulator', 'layer:manifests', 'layer:fixes', 'layer:kube', 'layer:store', 'layer:notify', 'layer:runtime'],
  },
  // Pure (payloads, signing, retry policy): libs/scans runs the delivery use case with it.
  { sourceTag: 'layer:notify', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'layer:testing', onlyDependOnLibsWithTags: ['*'] },
  // The fake kube-apiserver and its scenarios: tests (through libs/testing) and `rollsafe demo`.
  { sourceTag: 'layer:fake-cluster', onlyDependOnLibsWithTags: [] },
  {
    sourceTag: 'layer:cli',
    onlyDependOnLibsWithTags: ['layer:advisor', 'layer:simulator', 'layer:manifests', 'layer:fixes', 'layer:kube', 'layer:fake-cluster'],
  },
  {
    sourceTag: 'layer:app',
    onlyDependOnLibsWithTags: [
      'layer:advisor',
      'layer:simulator',
      'layer:manifests',
      'layer:fixes',
      'layer:kube',
      'layer:store',
      'layer:scans',
      'layer:notify',
      'layer:runtime',
    ],
  },
];

// The pure libraries (no framework, no database, no queue): what they may not import, by
// package. `import type` counts too: their types would tie the library to the package.
const PURE_LIBS = ['libs/advisor/**/*.ts', 'libs/manifests/**/*.ts', 'libs/fixes/**/*.ts', 'libs/notify/**/*.ts'];
const IMPURE_PACKAGES = [
  { regex: '^@nestjs/', message: 'libs/advisor, libs/manifests and libs/notify stay framework-free: no Nest (use it from libs/scans or the apps).' },
  {
    regex: '^(@prisma/|prisma(/|$)|\\.prisma/)|(^|/)generated/prisma(/|$)',
    message: 'libs/advisor, libs/manifests and libs/notify do no I/O: no Prisma (libs/store owns the database).',
  },
  {
    regex: '^(bullmq|ioredis|pg)(/|$)',
    message: 'libs/advisor, libs/manifests and libs/notify do no I/O: no BullMQ, ioredis or pg (libs/scans and the apps own queues and connections).',
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/generated', 'bench/**/out'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
      '@typescript-eslint/no-explicit-any': 'error',
      // A double cast silences the type checker entirely: narrow, map or type the value instead.
      'no-restricted-syntax': [
        'error',
        {
          selector: "TSAsExpression[expression.type='TSAsExpression'][expression.typeAnnotation.type='TSUnknownKeyword']",
          message: "No 'as unknown as': narrow the value, map it to the type, or type the function that makes it.",
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: PURE_LIBS,
    rules: {
      'no-restricted-imports': ['error', { patterns: IMPURE_PACKAGES }],
    },
  },
  {
    // Tests may import the test kit from any project.
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: ['#rollsafe/testing'], depConstraints }],
    },
  },
];
