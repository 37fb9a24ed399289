// Lint: typescript-eslint's type-checked rules, plus the house rule that time
// is read and scheduled only through the injected Clock (src/util/clock.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const timeGlobals = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'].map((name) => ({
  name,
  message: 'Schedule through the injected Clock (src/util/clock.ts).',
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/util/clock.ts'],
    rules: {
      'no-restricted-globals': ['error', ...timeGlobals],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Read the time through the injected Clock.' },
        { object: 'performance', property: 'now', message: 'Read the time through the injected Clock.' },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
