export * from './hub-ids.js';
export * from './hub-challenge.js';
export * from './registration-request.js';
export * from './registration-record.js';
export * from './claim-code.js';
export * from './hub-key.js';
export * from './hub-routes.js';
