export * from './session-schema.js';
export * from './byte-codec.js';
export * from './sample-codec.js';
export * from './session-file.js';
export * from './vbo-export.js';
