export * from './ci-head-zoom.js';
