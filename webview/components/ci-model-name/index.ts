export * from './ci-model-name.js';
