import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { EntryKind } from './entry-kind.js';

/**
 * DATA_DIR/slots/<A|B>/slot.json, written last by an install: a slot without it (or with an
 * unreadable one) is incomplete and never booted.
 */
export const SlotManifest = Type.Object(
  {
    version: Type.String({ minLength: 1, maxLength: 64 }),
    /** The runtime's JavaScript entry, relative to the slot directory. */
    entry: Type.String({ minLength: 1, maxLength: 200, pattern: '^(?!/)(?!.*(^|/)\\.\\.(/|$)).+$' }),
    /** Absent: `node` (see UpdateManifest.entryKind). */
    entryKind: Type.Optional(EntryKind),
    bytes: Type.Integer({ minimum: 0 }),
    installedAt: Type.String({ maxLength: 40 }),
  },
  { additionalProperties: false },
);
export type SlotManifest = Static<typeof SlotManifest>;
export const slotManifest = validator('SlotManifest', SlotManifest);
