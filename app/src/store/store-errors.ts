/** Why the companion's database refused a read or a write, as the user is told it. */
export type StoreErrorKind = 'corrupt' | 'read-only' | 'disk-full' | 'busy' | 'unavailable' | 'failed';

/** One sentence per kind: what happened and what the user can do about it. */
export const STORE_ERROR_SENTENCES: Record<StoreErrorKind, string> = {
  corrupt: "The companion's database file is damaged: move it aside (the companion starts a new one) and pull the units' data again.",
  'read-only': "The companion cannot save: its database file or data folder is read-only; give it write access, then try again.",
  'disk-full': "The disk holding the companion's data is full: free some space, then try again.",
  busy: "The companion's database stayed busy for too long: try again in a moment.",
  unavailable: "The companion's database writer has stopped: restart the companion.",
  failed: "The companion could not save this change to its database.",
};

/** A database failure with its kind; `message` is the sentence for the user, `detail` SQLite's own words. */
export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    readonly detail: string,
  ) {
    super(STORE_ERROR_SENTENCES[kind]);
    this.name = 'StoreError';
  }
}

/** The kind of an error thrown by better-sqlite3 (by its extended SQLite result code). */
export function storeErrorKind(err: unknown): StoreErrorKind {
  if (err instanceof StoreError) return err.kind;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code.startsWith('SQLITE_CANTOPEN')) return 'read-only';
  if (code === 'SQLITE_FULL' || /ENOSPC|no space left/i.test(String((err as Error)?.message))) return 'disk-full';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  return 'failed';
}

/** Any database error as a StoreError (kept when it is one). */
export function toStoreError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  return new StoreError(storeErrorKind(err), err instanceof Error ? err.message : String(err));
}

/** An error as one line for a log or a report: a database failure's sentence with SQLite's words, else its message. */
export function failureText(err: unknown): string {
  const e = toStoreError(err);
  return e.kind === 'failed' ? e.detail : `${e.message} (${e.detail})`;
}
