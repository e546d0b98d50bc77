import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-check/**',
      'bench/.build/**',
      'bench/out/**',
      'node_modules/**',
      'examples/**/build/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Plugins take env from the semantic-release context, not process.env.',
        },
        {
          // `import { z } from 'zod'` takes zod's namespace object, which keeps all of zod (its ~50
          // locales too) in the bundle: twice the code to load. `import * as z` lets esbuild drop
          // what is not used; importing the plugin after semantic-release went from ~115 to ~55 ms.
          selector:
            "ImportDeclaration[source.value='zod'] > :matches(ImportSpecifier, ImportDefaultSpecifier)",
          message: "Use `import * as z from 'zod'`: the bundle then leaves out what the plugin does not use.",
        },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**', '**/*.test.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
  },
);
