export { buildHubServer, type HubServerOptions, type HubTimeouts } from './server.js';
export { openDatabase, isPostgresUrl, type DatabaseTarget, type HubDatabase } from './db/open-database.js';
export { MIGRATION_NAMES } from './db/migrations.js';
export type { HubTables } from './db/tables.js';
export { loadHubSigningKey, describePublicKey, type HubSigningKey } from './hub-signing-key.js';
export { addMember, createOrganisation, linkDealer, authenticateMember, type Member } from './organisations/members.js';
export { readAudit, type AuditEntry } from './audit.js';
export { HubRefusal } from './hub-refusal.js';
