import { Type, type Static } from '@sinclair/typebox';
import { FleetDistributionResult } from '../companion/fleet-api.js';
import { validator } from '../validate.js';
import { HubId } from './hub-ids.js';

/** A track id as shared sessions carry it (SharedSessionUpload.trackId). */
export const HubFleetParams = Type.Object({ trackId: Type.String({ pattern: '^[A-Za-z0-9:._-]{1,120}$' }) }, { additionalProperties: false });
export type HubFleetParams = Static<typeof HubFleetParams>;
export const hubFleetParams = validator('HubFleetParams', HubFleetParams);

/**
 * GET /hub/v1/fleet/:trackId?groupId=…: one group's laps on a track (its members only), or,
 * without a group, the organisation's: the laps shared with every group of the caller's
 * organisation that the caller is in (never a group they are not in).
 */
export const HubFleetQuery = Type.Object(
  {
    groupId: Type.Optional(HubId),
    groupBy: Type.Optional(Type.Union([Type.Literal('driver'), Type.Literal('unit')])),
    /** The member (a driver's name, or a unit id) whose laps are marked. */
    mark: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type HubFleetQuery = Static<typeof HubFleetQuery>;
export const hubFleetQuery = validator('HubFleetQuery', HubFleetQuery);

/**
 * The distributions as the companion computes them (the same `fleetDistribution`), over the
 * groups read. The hub keeps laps and sector times, not traces: `corners` is empty.
 */
export const HubFleetDistribution = Type.Object(
  { scope: Type.Union([Type.Literal('group'), Type.Literal('organisation')]), groups: Type.Array(HubId), distribution: FleetDistributionResult },
  { additionalProperties: false },
);
export type HubFleetDistribution = Static<typeof HubFleetDistribution>;
