import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { UpdateStatus } from '../update/update-status.js';

/**
 * The companion's runtime-update contract (the Updates screen): look at a bundle file, push it to
 * paired units, follow each unit to committed or rolled back.
 */

const BundlePath = Type.String({ minLength: 1, maxLength: 4096 });

/** What a bundle file is, and whether the companion's known vendor keys vouch for it. */
export const BundleSummary = Type.Object(
  {
    path: BundlePath,
    sizeB: Type.Integer({ minimum: 0 }),
    runtimeVersion: Type.String(),
    models: Type.Array(Type.String()),
    minReplaceVersion: Type.String(),
    buildTime: Type.String(),
    signed: Type.Boolean(),
    /** The key id the signature names (not trusted until `verified`). */
    signerKeyId: Type.Union([Type.String(), Type.Null()]),
    /** Signature and every file's sha256 checked against the vendor keys this companion knows. */
    verified: Type.Boolean(),
    /** Why it is not verified (no known keys, unknown signer, damaged file), null when verified. */
    verifyNote: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type BundleSummary = Static<typeof BundleSummary>;

export const UnitPushPhase = Type.Union([Type.Literal('waiting'), Type.Literal('sending'), Type.Literal('installing'), Type.Literal('installed'), Type.Literal('refused')]);

export const UnitPush = Type.Object(
  {
    unitId: UnitId,
    phase: UnitPushPhase,
    sent: Type.Integer({ minimum: 0 }),
    total: Type.Integer({ minimum: 0 }),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type UnitPush = Static<typeof UnitPush>;

/** A push under way: each unit's bytes and phase, and all units' bytes together (0..1). */
export const UpdatePushProgress = Type.Object({ units: Type.Array(UnitPush), overall: Type.Number({ minimum: 0, maximum: 1 }) }, { additionalProperties: false });
export type UpdatePushProgress = Static<typeof UpdatePushProgress>;

/** One unit's update as last heard (GET /v1/update), or why it does not answer now. */
export const UnitUpdateView = Type.Object(
  { unitId: UnitId, status: Type.Union([UpdateStatus, Type.Null()]), unreachable: Type.Union([Type.String(), Type.Null()]), done: Type.Boolean() },
  { additionalProperties: false },
);
export type UnitUpdateView = Static<typeof UnitUpdateView>;

const UnitIds = Type.Array(UnitId, { minItems: 1, maxItems: 200 });

export const updateMethods = {
  'updates:inspect': { params: Type.Object({ path: BundlePath }, { additionalProperties: false }), result: BundleSummary },
  /** Pushes the bundle to the units at once; answers when every unit has installed or refused it (progress as `updates:progress`), then follows the installed ones (`updates:states`). */
  'updates:push': { params: Type.Object({ path: BundlePath, unitIds: UnitIds }, { additionalProperties: false }), result: UpdatePushProgress },
  'updates:status': { params: Type.Object({ unitIds: UnitIds }, { additionalProperties: false }), result: Type.Array(UnitUpdateView) },
} as const;

export const updateEvents = {
  'updates:progress': UpdatePushProgress,
  'updates:states': Type.Array(UnitUpdateView),
} as const;
