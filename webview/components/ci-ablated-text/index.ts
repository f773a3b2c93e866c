export * from './ci-ablated-text.js';
