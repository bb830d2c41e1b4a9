// Written once for unit and companion (protocol/src/node/atomic-file.ts).
export { fsyncDir, removeStaleTemps, writeFileAtomic } from '@pitwall/protocol/node';
