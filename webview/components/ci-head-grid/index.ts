export * from './ci-head-grid.js';
