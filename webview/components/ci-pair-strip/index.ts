export * from './ci-pair-strip.js';
