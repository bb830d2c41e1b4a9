// Protocol's Node-only part (`@pitwall/protocol/node`), shared by the unit and the companion.
// The rest of protocol stays pure contracts, importable by the renderer.
export * from './atomic-file.js';
