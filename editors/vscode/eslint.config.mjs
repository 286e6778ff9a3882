// ESLint for the extension, its build script and its tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'out/'] },
  js.configs.recommended,
  { rules: { 'no-redeclare': ['error', { builtinGlobals: false }] } },
  ...tseslint.configs.recommended,
  {
    files: ['test/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly', setTimeout: 'readonly', structuredClone: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-empty-function': 'off', '@typescript-eslint/no-empty-function': 'off' },
  },
  {
    files: ['esbuild.mjs'],
    languageOptions: { globals: { process: 'readonly' } },
  },
);
