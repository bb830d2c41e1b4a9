export * from './reference-line.js';
export * from './lap-stations.js';
export * from './track-corners.js';
export * from './corner-speeds.js';
export * from './lap-compare.js';
export * from './distribution.js';
export * from './fleet-distribution.js';
export * from './lap-columns.js';
