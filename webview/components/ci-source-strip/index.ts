export * from './ci-source-strip.js';
