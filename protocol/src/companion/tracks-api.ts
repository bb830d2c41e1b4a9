import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { OwnTrackPushResult } from '../tracks/own-track-push.js';
import { TrackBook } from '../tracks/track-book.js';
import { MergeChange } from '../tracks/merge-report.js';

/** Tracks in the UI contract (methods `tracks:*`, `sessions:set-track`). */
const SessionRef = Type.Integer({ minimum: 1 });
const TrackRef = Type.String({ minLength: 1, maxLength: 128, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' });

/** A name a person gives a track drawn here: 1 to 80 characters; the handler refuses control characters in a sentence. */
const OwnTrackName = Type.String({ minLength: 1, maxLength: 80 });

/** One layout as a person picks it: the name to read, its length, how far it is. */
export const TrackEntry = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    lengthM: Type.Number(),
    /** From the position asked about to the start/finish, metres; null when no position was given. */
    distanceM: Type.Union([Type.Number(), Type.Null()]),
    /** Drawn in this companion (not from the catalog). */
    own: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type TrackEntry = Static<typeof TrackEntry>;

/** A track drawn here as the tracks screen shows it: its ids, who named it, what merges changed. */
export const OwnTrackDetail = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    lengthM: Type.Number(),
    /** From its geometry (protocol/src/tracks/track-signature.ts); null without an outline. */
    signatureId: Type.Union([Type.String(), Type.Null()]),
    /** The id it goes by with the catalog and the other own tracks (near-misses resolved). */
    resolvedId: Type.Union([Type.String(), Type.Null()]),
    /** The laptop whose name for it holds, and this laptop's id. */
    nameBy: Type.String(),
    thisLaptop: Type.String(),
    changes: Type.Array(Type.Composite([MergeChange, Type.Object({ mergedAt: Type.Number() })])),
  },
  { additionalProperties: false },
);
export type OwnTrackDetail = Static<typeof OwnTrackDetail>;

export const trackMethods = {
  /**
   * The catalog and own tracks; with `near` (or `session`: where that session was driven), those
   * within `withinM` (default 50 km), nearest first.
   */
  'tracks:list': {
    params: Type.Object(
      {
        session: Type.Optional(SessionRef),
        near: Type.Optional(Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false })),
        withinM: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 20_000_000 })),
      },
      { additionalProperties: false },
    ),
    result: Type.Array(TrackEntry),
  },
  /** Re-times a session on a layout chosen by hand (null: the track chooser decides again); the choice is kept. */
  'sessions:set-track': {
    params: Type.Object({ session: SessionRef, trackId: Type.Union([TrackRef, Type.Null()]) }, { additionalProperties: false }),
    result: Type.Object({ trackId: Type.Union([Type.String(), Type.Null()]), laps: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  },
  /**
   * Draws an own track from a stored session's path (the same as `pitwall tracks add --from`):
   * start/finish square to the path at `at` (a fraction of the lap; default the longest straight),
   * sector lines at `sectorsAt`; stores it and re-times that session on it, chosen by hand.
   */
  'tracks:add': {
    params: Type.Object(
      {
        session: SessionRef,
        name: OwnTrackName,
        at: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
        sectorsAt: Type.Optional(Type.Array(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }), { maxItems: 16 })),
      },
      { additionalProperties: false },
    ),
    result: Type.Object(
      {
        trackId: Type.String(),
        name: Type.String(),
        lengthM: Type.Number(),
        /** Laps of this session now timed on the track. */
        laps: Type.Integer({ minimum: 0 }),
        /** False when the same loop was stored before: that track is the one used. */
        added: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
  },
  /** The tracks drawn here, with their ids and what merges from other laptops changed. */
  'tracks:own': { params: Type.Object({}, { additionalProperties: false }), result: Type.Array(OwnTrackDetail) },
  /** A new name for an own track: an edit from this laptop, which wins over what it has merged. */
  'tracks:rename': {
    params: Type.Object({ id: TrackRef, name: OwnTrackName }, { additionalProperties: false }),
    result: Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false }),
  },
  /** This laptop's book of tracks and groups, to merge on another laptop. */
  'tracks:book': { params: Type.Object({}, { additionalProperties: false }), result: TrackBook },
  /** Merges another laptop's book into this one's; returns what it changed here. */
  'tracks:merge': {
    params: Type.Object({ book: TrackBook }, { additionalProperties: false }),
    result: Type.Object({ changes: Type.Array(MergeChange) }, { additionalProperties: false }),
  },
  /** Replaces a paired unit's own tracks with this companion's (owner or dealer); the unit times them from its next start. */
  'tracks:push': {
    params: Type.Object({ unitId: UnitId }, { additionalProperties: false }),
    result: OwnTrackPushResult,
  },
} as const;
