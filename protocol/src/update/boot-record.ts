import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/** The unit's two runtime slots. */
export const SlotName = Type.Union([Type.Literal('A'), Type.Literal('B')]);
export type SlotName = Static<typeof SlotName>;

/**
 * What a slot holds: nothing, a half-written install (never bootable), a complete install
 * not yet booted, one on trial, one that passed its health gate, one that failed it.
 */
export const SlotStatus = Type.Union([
  Type.Literal('empty'),
  Type.Literal('installing'),
  Type.Literal('installed'),
  Type.Literal('trying'),
  Type.Literal('good'),
  Type.Literal('bad'),
]);
export type SlotStatus = Static<typeof SlotStatus>;

export const SlotState = Type.Object(
  {
    version: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    status: SlotStatus,
  },
  { additionalProperties: false },
);
export type SlotState = Static<typeof SlotState>;

/** The update's states (device-firmware-ts/src/update/update-state-table.ts declares the moves). */
export const UpdateStateName = Type.Union([
  Type.Literal('idle'),
  Type.Literal('downloading'),
  Type.Literal('verifying'),
  Type.Literal('installing'),
  Type.Literal('rebooting'),
  Type.Literal('trying'),
  Type.Literal('committed'),
  Type.Literal('rolled-back'),
  Type.Literal('failed'),
]);
export type UpdateStateName = Static<typeof UpdateStateName>;

const Count = Type.Integer({ minimum: 0, maximum: 1_000_000 });

export const UpdateProgress = Type.Object(
  {
    state: UpdateStateName,
    /** The slot the update writes and then tries. */
    target: Type.Union([SlotName, Type.Null()]),
    version: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    /** 0..1 of the current state's work, as persisted on entry (the live figure is in the API). */
    progress: Type.Number({ minimum: 0, maximum: 1 }),
    lastError: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
    /** How each trial boot of the target ended, the latest last (a few kept). */
    bootFailures: Type.Array(Type.String({ maxLength: 300 }), { maxItems: 8 }),
    /** Times each state was entered during this update (loop detection). */
    entries: Type.Record(Type.String({ maxLength: 20 }), Count),
    changedAt: Type.String({ maxLength: 40, description: 'ISO 8601 UTC of the last state entry' }),
  },
  { additionalProperties: false },
);
export type UpdateProgress = Static<typeof UpdateProgress>;

/**
 * The boot-state record: which slot to boot, which one is on trial and how many boots it has
 * left, the last slot that passed its health gate, and the update's state. Kept as two
 * checksummed copies under DATA_DIR/boot (boot-record-store.ts).
 */
export const BootRecord = Type.Object(
  {
    format: Type.Literal(1),
    /** Raised by every write: of two valid copies the higher wins. */
    seq: Type.Integer({ minimum: 0 }),
    active: SlotName,
    tried: Type.Union([SlotName, Type.Null()]),
    attemptsLeft: Type.Integer({ minimum: 0, maximum: 100 }),
    lastGood: Type.Union([SlotName, Type.Null()]),
    slots: Type.Object({ A: SlotState, B: SlotState }, { additionalProperties: false }),
    update: UpdateProgress,
  },
  { additionalProperties: false },
);
export type BootRecord = Static<typeof BootRecord>;
export const bootRecord = validator('BootRecord', BootRecord);
