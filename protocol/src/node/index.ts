// Protocol's Node-only part (`@pitwall/protocol/node`), shared by the unit and the companion.
// The rest of protocol stays pure contracts, importable by the renderer.
export * from './atomic-file.js';
export * from './dsse-envelope.js';
export * from './key-list-apply.js';
export * from './bundle-source.js';
export * from './bundle-read.js';
export * from './bundle-build.js';
export * from './license-file.js';
// the hub: the unit's signed registration request, the hub's signed answer, store and forward
export * from './hub-registration.js';
export * from './hub-client.js';
export * from './registration-outbox.js';
export * from './group-sync.js';
export * from './birth-certificate-sign.js';
