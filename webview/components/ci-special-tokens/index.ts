export * from './ci-special-tokens.js';
