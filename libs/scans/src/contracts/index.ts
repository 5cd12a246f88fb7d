export * from './enums.js';
export * from './common.js';
export * from './scan.js';
export * from './cluster.js';
export * from './webhook.js';
export * from './suppression.js';
export * from './verdict.js';
