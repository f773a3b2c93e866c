export * from './ci-pair-distribution.js';
