export * from './ci-norm-growth.js';
