export * from './ci-sae-panel.js';
