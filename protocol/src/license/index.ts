export * from './license-feature.js';
export * from './license-payload.js';
export * from './license-status.js';
export * from './revocation-list.js';
export * from './license-error.js';
export * from './signed-file.js';
export * from './license-scope.js';
