// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Modules that do I/O or reach outside the workflow sandbox. Workflows must stay deterministic. */
const sandboxForbidden = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'crypto',
  'http',
  'https',
  'net',
  'child_process',
  'worker_threads',
  'postgres',
  'pg',
  'pino',
  'fastify',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

export default tseslint.config(
  // api/supervision/dashboard/ is browser JavaScript outside the TypeScript project (no build step); the
  // browser test exercises it, and it fails on any page error.
  {
    ignores: [
      'node_modules/',
      'dist/',
      'data/',
      '.tools/',
      'coverage/',
      'test/.output/',
      'bench/.output/',
      'api/supervision/dashboard/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: sandboxForbidden,
              message: 'workflows/ and domain/ are deterministic: no Node built-ins or I/O libraries here.',
            },
            {
              group: ['**/activities/*', '**/api/*', '**/infra/*', '**/worker/*'],
              allowTypeImports: true,
              message: 'Import activities only as types.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process in deterministic code.' },
        { name: 'setTimeout', message: 'Use sleep() / condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() from @temporalio/workflow.' },
      ],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='@temporalio/workflow'][importKind!='type']",
          message: 'domain/ is pure: no workflow runtime (only @temporalio/common definitions).',
        },
      ],
    },
  },
  // Imports point one way. Activities do I/O for workflows and know nothing of them or of the API;
  // the API reaches reports through Temporal and reads the read model, never running activities.
  {
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows/*', '**/api/*', '**/api/**'],
              message:
                'activities/ imports neither workflows/ nor api/ (shared code lives in domain/ or infra/).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities/*', '**/activities/**'],
              message: 'api/ does not import activities/: it reaches reports through Temporal.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // `res.json()` of inject is `any` by design; tests assert on it.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  prettier,
);
