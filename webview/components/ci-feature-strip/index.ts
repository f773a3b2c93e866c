export * from './ci-feature-strip.js';
