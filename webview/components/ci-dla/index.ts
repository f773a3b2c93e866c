export * from './ci-dla.js';
