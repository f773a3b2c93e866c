import tseslint from 'typescript-eslint';

const onlyOrtModule = { name: 'onnxruntime-node', message: 'Only src/model/ort.ts touches onnxruntime.' };
const noVscode = {
  name: 'vscode',
  message: 'Only src/platform, src/features (not engine/ or shared/) and src/extension.ts import vscode; see ARCHITECTURE.md.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'models/**', '**/*.js', '**/*.mjs', '.tmp/**', '.bench/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    ignores: ['src/model/ort.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [onlyOrtModule] }] },
  },
  {
    files: [
      'src/shared/**/*.ts',
      'src/model/**/*.ts',
      'src/analysis/**/*.ts',
      'src/engine/**/*.ts',
      'src/hub/**/*.ts',
      'src/cli/**/*.ts',
      'src/features/*/engine/**/*.ts',
      'src/features/*/shared/**/*.ts',
      'src/engineProcess.ts',
      'src/engineModules.ts',
      'webview/**/*.ts',
    ],
    ignores: ['src/model/ort.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [onlyOrtModule, noVscode] }] },
  },
);
