export * from './bundle-error.js';
export * from './bundle-header.js';
export * from './bundle-manifest.js';
export * from './key-list.js';
export * from './runtime-version.js';
