export * from './ci-logit-lens.js';
