export * from './ci-head-table.js';
