export * from './ci-table-check.js';
