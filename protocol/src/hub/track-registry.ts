import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { HubTime } from './hub-ids.js';
import { Hlc } from '../merge/hlc.js';
import { LatLonTuple } from '../tracks/track-definition.js';
import { BookGroup, BookTrack, TrackBook } from '../tracks/track-book.js';
import { OWN_TRACKS_MAX } from '../tracks/own-track-push.js';
import { SIGNATURE_POINTS, trackSignature } from '../tracks/track-signature.js';
import { haversineM } from '../timing/geo.js';

/**
 * The canonical track registry's messages (the hub serves them; docs/track-signatures.md and
 * docs/track-merging.md say how ids and merges work). A companion pushes its book; the hub
 * recomputes every signature from the geometry (a signature sent by a peer is never trusted),
 * resolves it against the registry (its entries are the references of `resolveTrackIds`) and
 * merges the book's registers into the entry's: the same merge as between laptops.
 */
export const SignatureId = Type.String({ pattern: '^trk-[0-9a-f]{16}(-[0-9a-f]{8})?$' });

/** A signature as the registry lists it (computed by the hub, never taken from a push). */
export const TrackSignatureMessage = Type.Object(
  {
    id: SignatureId,
    direction: Type.Union([Type.Literal('cw'), Type.Literal('ccw')]),
    lengthM: Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }),
    centroid: Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false }),
    points: Type.Array(LatLonTuple, { minItems: SIGNATURE_POINTS, maxItems: SIGNATURE_POINTS }),
  },
  { additionalProperties: false },
);

/** `POST /hub/v1/registry/tracks`: a companion's book (its own tracks and their edits). */
export const RegistryTrackPush = Type.Object(
  {
    /** The laptop the book comes from (its clock's node id). */
    laptop: Hlc.properties.node,
    book: TrackBook,
  },
  { additionalProperties: false },
);
export type RegistryTrackPush = Static<typeof RegistryTrackPush>;
export const registryTrackPush = validator('RegistryTrackPush', RegistryTrackPush);

/** What the registry did with each track of a push: the id it goes by there, and its version now. */
export const RegistryTrackPushResult = Type.Object(
  {
    tracks: Type.Array(
      Type.Object(
        {
          /** The book's key for the track (its id on the laptop). */
          key: Type.String({ maxLength: 96 }),
          registryId: SignatureId,
          version: Type.Integer({ minimum: 1 }),
          /** New to the registry, changed by this push, or already holding every edit of it. */
          outcome: Type.Union([Type.Literal('registered'), Type.Literal('merged'), Type.Literal('unchanged')]),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
    /** The registry's newest version after the push. */
    version: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type RegistryTrackPushResult = Static<typeof RegistryTrackPushResult>;
export const registryTrackPushResult = validator('RegistryTrackPushResult', RegistryTrackPushResult);

/** `GET /hub/v1/registry/tracks?after=VERSION&limit=N`: what changed after a version of the organisation's registry, oldest change first. */
export const RegistryTrackPullQuery = Type.Object(
  {
    after: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,14})$' })),
    limit: Type.Optional(Type.String({ pattern: '^([1-9]|[1-9][0-9]|1[0-9][0-9]|200)$' })),
  },
  { additionalProperties: false },
);
export type RegistryTrackPullQuery = Static<typeof RegistryTrackPullQuery>;
export const registryTrackPullQuery = validator('RegistryTrackPullQuery', RegistryTrackPullQuery);

/** One version of an entry: the member whose push made it, from which laptop, when, which fields changed (none: only its id or aliases did). */
export const RegistryTrackVersion = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    author: Type.String({ minLength: 1, maxLength: 120 }),
    laptop: Hlc.properties.node,
    at: HubTime,
    fields: Type.Array(Type.Union([Type.Literal('geometry'), Type.Literal('name'), Type.Literal('sectors'), Type.Literal('deleted')]), { maxItems: 4 }),
  },
  { additionalProperties: false },
);
export type RegistryTrackVersion = Static<typeof RegistryTrackVersion>;

/**
 * One track of the organisation's canonical book, under the key laptops know it by: its
 * registers (merged from every push, stamps and laptops kept), the id the registry resolved it
 * to, and the signature the hub computed from the merged geometry.
 */
export const RegistryTrackEntry = Type.Object(
  {
    key: Type.String({ maxLength: 96 }),
    id: SignatureId,
    /** Raw signature ids of the other tracks resolved to this id (the same track drawn on other laptops). */
    aliases: Type.Array(SignatureId, { maxItems: 100 }),
    track: BookTrack,
    signature: TrackSignatureMessage,
    /** The registry-wide version of this entry's last change (the pull cursor). */
    version: Type.Integer({ minimum: 1 }),
    /** The newest versions first, at most 20. */
    history: Type.Array(RegistryTrackVersion, { maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type RegistryTrackEntry = Static<typeof RegistryTrackEntry>;

/** A group of the canonical book (its name register and members as an observed-remove set). */
export const RegistryGroupEntry = Type.Object(
  { key: Type.String({ maxLength: 96 }), group: BookGroup, version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export type RegistryGroupEntry = Static<typeof RegistryGroupEntry>;

export const RegistryTrackPull = Type.Object(
  {
    entries: Type.Array(RegistryTrackEntry, { maxItems: 200 }),
    groups: Type.Array(RegistryGroupEntry, { maxItems: 200 }),
    /** Pass as `after` for the next page; null when there is no more. */
    next: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type RegistryTrackPull = Static<typeof RegistryTrackPull>;
export const registryTrackPull = validator('RegistryTrackPull', RegistryTrackPull);

/**
 * What is wrong with a push the schema accepted, per track (key -> reason), in words for the
 * sender: numbers that are not finite, a line of a silly width, an outline whose length is far
 * from the one it claims, an outline from which no signature can be made.
 */
export function registryPushProblems(push: RegistryTrackPush): Map<string, string> {
  const out = new Map<string, string>();
  const entries = Object.entries(push.book.tracks);
  if (entries.length > OWN_TRACKS_MAX) {
    for (const [key] of entries) out.set(key, `a push holds at most ${OWN_TRACKS_MAX} tracks`);
    return out;
  }
  for (const [key, t] of entries) {
    const g = t.geometry.value;
    const numbers = [g.lengthM, ...g.outline.flat(), g.startFinish.a.lat, g.startFinish.a.lon, g.startFinish.b.lat, g.startFinish.b.lon];
    if (!numbers.every(Number.isFinite)) {
      out.set(key, 'a coordinate or the length is not a finite number');
      continue;
    }
    const width = haversineM(g.startFinish.a, g.startFinish.b);
    if (width < 1 || width > 500) {
      out.set(key, `the start/finish line is ${width.toFixed(1)} m wide (1 to 500 m)`);
      continue;
    }
    const sig = trackSignature(g);
    if (!sig) {
      out.set(key, 'no signature can be made from this outline');
      continue;
    }
    if (Math.abs(sig.lengthM - g.lengthM) > 0.1 * g.lengthM) out.set(key, `the outline is ${Math.round(sig.lengthM)} m long, not the ${Math.round(g.lengthM)} m it claims`);
  }
  return out;
}
