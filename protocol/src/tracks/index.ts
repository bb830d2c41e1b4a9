export * from './track-definition.js';
export * from './catalog-location.js';
export * from './track-name.js';
export * from './own-track-push.js';
export * from './track-signature.js';
export * from './same-track.js';
export * from './track-book.js';
export * from './merge-report.js';
