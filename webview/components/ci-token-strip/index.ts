export * from './ci-token-strip.js';
