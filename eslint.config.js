import nx from '@nx/eslint-plugin';

// Project tags encode ARCHITECTURE.md's "may import" column.
const depConstraints = [
  { sourceTag: 'layer:advisor', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'layer:simulator', onlyDependOnLibsWithTags: ['layer:advisor'] },
  { sourceTag: 'layer:manifests', onlyDependOnLibsWithTags: ['layer:advisor'] },
  { sourceTag: 'layer:kube', onlyDependOnLibsWithTags: ['layer:advisor'] },
  { sourceTag: 'layer:store', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'layer:runtime', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'layer:scans', onlyDependOnLibsWithTags: ['layer:advisor', 'layer:simulator', 'layer:manifests', 'layer:kube', 'layer:store'] },
  { sourceTag: 'layer:notify', onlyDependOnLibsWithTags: ['layer:scans'] },
  { sourceTag: 'layer:testing', onlyDependOnLibsWithTags: ['*'] },
  { sourceTag: 'layer:cli', onlyDependOnLibsWithTags: ['layer:advisor', 'layer:simulator', 'layer:manifests', 'layer:kube'] },
  {
    sourceTag: 'layer:app',
    onlyDependOnLibsWithTags: ['layer:advisor', 'layer:simulator', 'layer:manifests', 'layer:kube', 'layer:store', 'layer:scans', 'layer:notify', 'layer:runtime'],
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
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests may import the test kit from any project.
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: ['#rollsafe/testing'], depConstraints },
      ],
    },
  },
];
