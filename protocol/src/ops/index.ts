export * from './log-record.js';
export * from './log-pull.js';
export * from './health-snapshot.js';
export * from './crash-dump.js';
export * from './redaction.js';
export * from './redaction-paths.js';
export * from './log-levels.js';
