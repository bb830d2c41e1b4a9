export * from './geo.js';
export * from './timing-line.js';
export * from './lap-trace.js';
export * from './lap-delta.js';
export * from './lap-timer.js';
export * from './time-laps.js';
export * from './track-picker.js';
