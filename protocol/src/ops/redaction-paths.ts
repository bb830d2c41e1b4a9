import { REDACTED } from './redaction-text.js';

/**
 * Secret fields for pino's own redaction (compiled paths; the record is not copied). They are a
 * fast path for part of the field-name rule in redaction.ts, never a second rule: each path ends
 * in a name `isSecretKey` calls secret, and the censor keeps what that rule keeps (null, empty,
 * booleans). The rule still covers every other name, letter case and depth.
 *
 * Top-level names, and nested paths under a literal first name: pino looks at those only when a
 * record has that first name. No `*.name` paths: pino runs a wildcard-first path over every field
 * of every record.
 */
export const SECRET_FIELD_PATHS: readonly string[] = [
  'password',
  'passphrase',
  'psk',
  'secret',
  'token',
  'key',
  'apiKey',
  'privateKey',
  'sessionKey',
  'authorization',
  'cookie',
  'credentials',
  'headers.authorization',
  'headers.cookie',
  'wifi.psk',
  'wifi.passphrase',
];

/** The top-level names of SECRET_FIELD_PATHS: a record's field of such a name is pino's to censor. */
export const SECRET_TOP_FIELDS: ReadonlySet<string> = new Set(SECRET_FIELD_PATHS.filter((p) => !p.includes('.')));

/** pino's censor: the value goes unless it says nothing (null, empty, a boolean), as in redaction.ts. */
export function censorSecretField(value: unknown): unknown {
  return value === null || value === undefined || value === '' || typeof value === 'boolean' ? value : REDACTED;
}

/** The `redact` option of a pino logger with these paths (the unit's logger and its bench baseline). */
export const PINO_SECRET_REDACTION = { paths: [...SECRET_FIELD_PATHS], censor: censorSecretField };
