import { SECRET_TOP_FIELDS } from '@pitwall/protocol';
import type { LogFields } from './logger.js';
import type { Redactor } from './redactor.js';

// Fields the record itself owns: a caller's field of that name is renamed, never overrides.
const RESERVED = new Set(['time', 'level', 'subsystem', 'msg', 'fw', 'commit', 'unit', 'boot', 'seq']);

const PLAIN = 0; // the value decides
const COPY = 1; // reserved, or a secret name pino's paths do not censor: the redactor's copy
const PINO = 2; // a secret name pino's own paths censor at the top level
const kinds = new Map<string, number>();

/** What a top-level field name asks for, one cached look-up per field of a record. */
function kindOf(redactor: Redactor, k: string): number {
  let kind = kinds.get(k);
  if (kind === undefined) {
    kind = RESERVED.has(k) ? COPY : SECRET_TOP_FIELDS.has(k) ? PINO : redactor.isSecretKey(k) ? COPY : PLAIN;
    if (kinds.size >= 4096) kinds.clear();
    kinds.set(k, kind);
  }
  return kind;
}

/**
 * Whether `fields` must go through the redactor's copy before pino sees it: a reserved name, or
 * anything the shared rules could change, except in the top-level fields pino's own paths
 * censor. False for the common record, which pino then writes as it is.
 */
export function needsCopy(redactor: Redactor, fields: LogFields): boolean {
  const proto = Object.getPrototypeOf(fields);
  if (proto !== Object.prototype && proto !== null) return true;
  for (const k in fields) {
    const kind = kindOf(redactor, k);
    if (kind === PINO) continue;
    if (kind === COPY) return true;
    const v = fields[k];
    if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) continue;
    if (redactor.mayChange(v, 1)) return true;
  }
  return false;
}

/** The redactor's copy of `fields`, reserved names renamed (`seq` -> `seq_`). */
export function cleanFields(redactor: Redactor, fields: LogFields): LogFields {
  const clean = redactor.value(fields) as LogFields;
  for (const k of Object.keys(clean)) {
    if (RESERVED.has(k)) {
      clean[`${k}_`] = clean[k];
      delete clean[k];
    }
  }
  return clean;
}
