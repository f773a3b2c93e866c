export * from './ci-dataset-panel.js';
