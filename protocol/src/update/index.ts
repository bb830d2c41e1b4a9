// The update's contracts alone (`@pitwall/protocol/update`): the launcher, which starts on every
// boot, loads these few schemas instead of the whole protocol.
export * from './boot-record.js';
export * from './update-status.js';
export * from './slot-manifest.js';
export * from './launcher-message.js';
export * from './entry-kind.js';
