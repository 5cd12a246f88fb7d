// The type-aware lint rules, run once over the whole workspace by `nx run workspace:lint`
// (tools/project.json, part of `nx run-many -t lint` and so of `npm test`): one TypeScript
// program (tsconfig.json) for every project instead of one per project, which on two cores is
// the difference between about 20 s and over a minute. The other rules are in eslint.config.js.
//   npx eslint -c eslint.typed.config.js libs apps conformance prisma
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const workspaceRoot = path.dirname(fileURLToPath(import.meta.url));

export default [
  { ignores: ['**/dist', '**/node_modules', '**/generated', 'bench/**', 'tools/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        projectService: { allowDefaultProject: ['prisma/*.ts', 'prisma.config.ts'] },
        tsconfigRootDir: workspaceRoot,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    // Disable comments are for the rules of eslint.config.js: not "unused" here.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      // A promise nobody awaits loses its errors: await it, or mark a deliberate
      // fire-and-forget with `void` and a comment saying why.
      '@typescript-eslint/no-floating-promises': 'error',
      // An `async` function that awaits nothing hides that it is synchronous.
      '@typescript-eslint/require-await': 'error',
    },
  },
];
