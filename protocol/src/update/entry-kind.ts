import { Type, type Static } from '@sinclair/typebox';

/**
 * How the launcher starts a runtime's entry: `node` runs it with the launcher's own Node;
 * `executable` runs it as it is (the single executable of `npm run sea`).
 */
export const EntryKind = Type.Union([Type.Literal('node'), Type.Literal('executable')]);
export type EntryKind = Static<typeof EntryKind>;
