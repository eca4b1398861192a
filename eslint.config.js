// Type-aware lint for the whole tree (STYLE.md 12).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'var/**', 'scratch/**', 'client/web/dist/**', 'bin/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      'no-console': 'off',
    },
  },
  {
    // supertest and JSON.parse answer `any`; tests assert on those values directly.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // The client core runs in Node and in the browser (the CLI and the web client): no Node built-in, no
    // process, no CLI library. Files, keys and storage come in through ports (client/node/, the
    // web client's worker). test/unit/client-core.test.ts checks the same rule on the source.
    files: ['client/core/**/*.ts', 'client/web/**/*.ts', 'client/web/**/*.tsx', 'keys/**/*.ts', 'protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '^node:', message: 'client/core, keys/ and protocol/ also run in the browser: take files, storage and the clock through a port' },
        { group: ['fs', 'fs/*', 'os', 'path', 'crypto', 'stream', 'stream/*', 'http', 'https', 'child_process', 'module', 'url', 'buffer', 'process'], message: 'a Node built-in: not in the client core' },
        { group: ['commander', 'read', 'cli-progress', 'form-data', 'mime-types', 'pino', 'express', 'better-sqlite3', 'multer'], message: 'a Node-only library: use it in client/node/ or client/cli/' },
        { group: ['**/client/node/**', '**/client/cli/**', '../node/*', '../cli/*', '**/server/**', '**/storage/**'], message: 'the core depends on nothing Node-side' },
      ] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'no process in the client core: the caller passes what it needs' }, { name: 'Buffer', message: 'Buffer is Node-only: use Uint8Array' }, { name: '__dirname', message: 'Node-only' }],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
