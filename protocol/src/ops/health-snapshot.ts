import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { UnitId } from '../device-api/unit-id.js';
import { LicenseState } from '../license/license-status.js';

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

/** A periodic health snapshot of a unit (GET /v1/health?since=ISO). */
export const HealthSnapshot = Type.Object(
  {
    time: Type.String(),
    unit: UnitId,
    boot: Type.String(),
    fw: Type.String(),
    commit: Type.String(),
    uptimeS: Type.Number({ minimum: 0 }),
    cpuPct: Type.Number({ minimum: 0 }),
    load: Type.Tuple([Type.Number(), Type.Number(), Type.Number()]),
    memory: Type.Object({ totalB: Type.Integer(), availableB: Type.Integer() }, { additionalProperties: false }),
    socTempC: Nullable(Type.Number()),
    dataPartition: Type.Object(
      { totalB: Type.Integer(), freeB: Type.Integer(), usedPct: Type.Number() },
      { additionalProperties: false },
    ),
    gnss: Type.Object(
      {
        timeToFirstFixS: Nullable(Type.Number()),
        start: Type.Union([Type.Literal('cold'), Type.Literal('warm'), Type.Null()]),
        satellites: Type.Integer({ minimum: 0 }),
        hdop: Nullable(Type.Number()),
        fixRateHz: Type.Number({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    imu: Type.Object(
      {
        sampleRateHz: Nullable(Type.Number()),
        /** Since start, for an IMU that can tell (its FIFO overran): breaks in the samples and the samples missing in them. */
        gaps: Type.Optional(Type.Integer({ minimum: 0 })),
        lostSamples: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    /** Wi-Fi: the mode and how long the last connect took (command to address); absent on units without it. */
    wifi: Type.Optional(
      Type.Object(
        { mode: Type.Union([Type.Literal('client'), Type.Literal('hotspot')]), connectTimeMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]) },
        { additionalProperties: false },
      ),
    ),
    /** The licence's state and whether the clock was found set back (absent on firmware without licensing). */
    license: Type.Optional(
      Type.Object(
        { state: LicenseState, daysLeft: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]), clockTampered: Type.Boolean() },
        { additionalProperties: false },
      ),
    ),
    clockSource: Type.Union([Type.Literal('gnss'), Type.Literal('ntp'), Type.Literal('rtc'), Type.Literal('none')]),
    /** Short codes of what is wrong now: hot, disk-low, no-fix, debug-logging-stopped, license-grace|expired|revoked|invalid, clock-tampered, ... */
    warnings: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type HealthSnapshot = Static<typeof HealthSnapshot>;
export const healthSnapshot = validator('HealthSnapshot', HealthSnapshot);

export const HealthList = Type.Object({ snapshots: Type.Array(HealthSnapshot) }, { additionalProperties: false });
export type HealthList = Static<typeof HealthList>;
export const healthList = validator('HealthList', HealthList);

/** Query of GET /v1/health: the snapshots after this ISO 8601 time (default: all the unit holds). */
export const HealthQuery = Type.Object({ since: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false });
export type HealthQuery = Static<typeof HealthQuery>;
