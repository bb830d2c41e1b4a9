import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { ClaimCode } from '../hub/registration-request.js';
import { Fingerprint } from '../identity/fingerprint.js';

/** Registering this companion's units with the connected hub (methods `hub:units`, `hub:register-unit`, …). */
const Empty = Type.Object({}, { additionalProperties: false });
const Sentence = Type.String({ maxLength: 1200 });

/**
 * Where a unit stands with the connected hub, as this companion knows it:
 * `registered` (the hub's record is at the unit), `record-waiting` (the hub registered it while
 * the unit was away: the record goes to it at the next contact), `waiting-forward` (signed at the
 * track, the request waits for the hub to be reachable), `not-registered`.
 */
export const HubUnitState = Type.Union([Type.Literal('registered'), Type.Literal('record-waiting'), Type.Literal('waiting-forward'), Type.Literal('not-registered')]);
export type HubUnitState = Static<typeof HubUnitState>;

export const HubUnitRegistration = Type.Object(
  {
    unitId: UnitId,
    name: Type.String(),
    online: Type.Boolean(),
    paired: Type.Boolean(),
    state: HubUnitState,
    /** The owner organisation in the hub's record (null: none yet, or not registered). */
    owner: Type.Union([Type.String(), Type.Null()]),
    registeredAt: Type.Union([Type.String(), Type.Null()]),
    /** Why the last attempt for this unit was refused, as a sentence (null: it was not). */
    refusal: Type.Union([Sentence, Type.Null()]),
  },
  { additionalProperties: false },
);
export type HubUnitRegistration = Static<typeof HubUnitRegistration>;

export const HubUnitsStatus = Type.Object(
  {
    /** The connected hub (null: none; nothing can be registered). */
    hubUrl: Type.Union([Type.String(), Type.Null()]),
    /** The hub key this companion's registrations are checked against (pinned at first contact). */
    hubKey: Type.Union([Fingerprint, Type.Null()]),
    /** Unexpired forward challenges held: one unit each can be registered while the hub is out of reach. */
    challengesHeld: Type.Integer({ minimum: 0 }),
    units: Type.Array(HubUnitRegistration),
  },
  { additionalProperties: false },
);
export type HubUnitsStatus = Static<typeof HubUnitsStatus>;

/** What a press of Register did. */
export const HubRegisterOutcome = Type.Object(
  {
    outcome: Type.Union([Type.Literal('registered'), Type.Literal('queued'), Type.Literal('delivered')]),
    sentence: Sentence,
    units: HubUnitsStatus,
  },
  { additionalProperties: false },
);
export type HubRegisterOutcome = Static<typeof HubRegisterOutcome>;

export const hubUnitsMethods = {
  'hub:units': { params: Empty, result: HubUnitsStatus },
  /**
   * Registers a paired unit with the connected hub: the record waiting for it first; else live when
   * the hub answers; else signed for a held forward challenge and kept until the hub is reachable.
   */
  'hub:register-unit': {
    params: Type.Object({ unitId: UnitId, claimCode: Type.Optional(ClaimCode) }, { additionalProperties: false }),
    result: HubRegisterOutcome,
  },
  /** While online (a member's token): forward challenges for a track day, one per unit to register there. */
  'hub:fetch-challenges': { params: Type.Object({ count: Type.Integer({ minimum: 1, maximum: 1000 }) }, { additionalProperties: false }), result: HubUnitsStatus },
  /** Sends the requests signed while the hub was away; each answer is checked, its record kept for the unit. */
  'hub:forward-registrations': { params: Empty, result: HubUnitsStatus },
} as const;
