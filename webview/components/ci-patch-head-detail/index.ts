export * from './ci-patch-head-detail.js';
