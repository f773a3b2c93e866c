export * from './ci-feature-examples.js';
