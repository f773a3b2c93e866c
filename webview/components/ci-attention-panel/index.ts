export * from './ci-attention-panel.js';
