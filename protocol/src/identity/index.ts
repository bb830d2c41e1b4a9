export * from './role.js';
export * from './fingerprint.js';
export * from './identity-state.js';
export * from './pairing.js';
export * from './operator.js';
export * from './challenge.js';
export * from './audit-record.js';
export * from './audit-pull.js';
