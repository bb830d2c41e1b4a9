export * from './track-definition.js';
