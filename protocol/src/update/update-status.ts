import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { SlotName, SlotState, UpdateStateName } from './boot-record.js';

/** GET /v1/update: the update's operation, progress and last error, and both slots. */
export const UpdateStatus = Type.Object(
  {
    operation: UpdateStateName,
    /** 0..1 of the current operation's work. */
    progress: Type.Number({ minimum: 0, maximum: 1 }),
    target: Type.Union([SlotName, Type.Null()]),
    targetVersion: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    lastError: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
    /** The slot this runtime was booted from. */
    booted: Type.Union([SlotName, Type.Null()]),
    active: SlotName,
    tried: Type.Union([SlotName, Type.Null()]),
    attemptsLeft: Type.Integer({ minimum: 0 }),
    lastGood: Type.Union([SlotName, Type.Null()]),
    slots: Type.Object({ A: SlotState, B: SlotState }, { additionalProperties: false }),
    /** How the target's trial boots ended (crash, hang, health gate), the latest last. */
    bootFailures: Type.Array(Type.String({ maxLength: 300 })),
    changedAt: Type.String({ maxLength: 40 }),
  },
  { additionalProperties: false },
);
export type UpdateStatus = Static<typeof UpdateStatus>;
export const updateStatus = validator('UpdateStatus', UpdateStatus);
