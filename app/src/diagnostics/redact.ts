/**
 * Companion-side redaction of diagnostics (defence in depth: the unit redacts before it logs,
 * the companion redacts again before it stores or exports anything). The rules are protocol's,
 * the same the unit runs (see protocol/src/ops/redaction.ts).
 */
export { REDACTED, REDACTION_MAX_DEPTH, isSecretKey, mayHoldSecret, redactText, redactValue } from '@pitwall/protocol';
