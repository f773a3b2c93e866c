export * from './ci-patch-heatmap.js';
