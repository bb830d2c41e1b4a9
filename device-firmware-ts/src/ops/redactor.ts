// The rules live in protocol (shared with the companion); the unit's logger holds one Redactor.
export { Redactor, REDACTED, type RedactedError } from '@pitwall/protocol';
