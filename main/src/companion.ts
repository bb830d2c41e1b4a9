// The companion core lives in app/ (plain Node); main only wires it to the two transports.
export { createCompanion, defaultUserDataDir, discoverOnce, parseAddress, type Companion, type CompanionOptions } from '@pitwall/app';
