export * from './ci-feature-card.js';
