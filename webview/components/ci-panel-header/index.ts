export * from './ci-panel-header.js';
