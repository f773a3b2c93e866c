export * from './ci-patch-panel.js';
