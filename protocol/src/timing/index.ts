export * from './geo.js';
export * from './timing-line.js';
export * from './lap-trace.js';
export * from './lap-timer.js';
export * from './time-laps.js';
export * from './outline-fit.js';
export * from './track-chooser.js';
export * from './own-track.js';
