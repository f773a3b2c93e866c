export * from './ci-residual-panel.js';
