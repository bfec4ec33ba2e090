import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'cdk.out/', 'node_modules/', '.data/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // lib/ is runtime-agnostic: web APIs only, configuration comes in through settings.
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'lib/ reads no process state; take it from settings.' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['@middy/*', 'aws-lambda'], message: 'Lambda types belong in functions/.' }] }],
    },
  },
);
