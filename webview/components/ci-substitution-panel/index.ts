export * from './ci-substitution-panel.js';
