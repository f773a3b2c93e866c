import tseslint from 'typescript-eslint';

const onlyOrtModule = { name: 'onnxruntime-node', message: 'Only src/model/ort.ts touches onnxruntime.' };
const noVscode = { name: 'vscode', message: 'Only the extension glue (src/extension.ts, src/commands, src/views, src/host) imports vscode.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'models/**', '**/*.js', '**/*.mjs', '.tmp/**', '.bench/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/extension.ts', 'src/commands/**/*.ts', 'src/views/**/*.ts', 'src/host/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [onlyOrtModule] }] },
  },
  {
    files: ['src/shared/**/*.ts', 'src/model/**/*.ts', 'src/analysis/**/*.ts', 'src/cli/**/*.ts', 'src/hub/**/*.ts', 'webview/**/*.ts'],
    ignores: ['src/model/ort.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [onlyOrtModule, noVscode] }] },
  },
);
