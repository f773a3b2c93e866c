export * from './ci-feature-attribution.js';
