import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/** Session ids: the receiver start time (UTC, to the second) and six random hex digits. */
export const SESSION_ID_PATTERN = '^\\d{8}T\\d{6}Z-[0-9a-f]{6}$';
export const SessionId = Type.String({ pattern: SESSION_ID_PATTERN, maxLength: 24 });

/** Header of GET /v1/sessions/:id carrying the whole file's SHA-256 (hex; absent while recording). */
export const SESSION_SHA256_HEADER = 'pitwall-session-sha256';

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** One entry of GET /v1/sessions. */
/**
 * The largest session file a companion downloads: a 24-hour session at 25 Hz GNSS and 100 Hz
 * IMU is about 90 MB, so a listing above this is a fault (or a hostile unit), not a session.
 */
export const MAX_SESSION_BYTES = 1024 ** 3;

export const SessionMeta = Type.Object(
  {
    id: SessionId,
    track: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false }), Type.Null()]),
    /** Receiver time of the first sample, ISO 8601 UTC. */
    start: Type.String(),
    durationS: Type.Number({ minimum: 0 }),
    laps: Type.Integer({ minimum: 0 }),
    bestLapMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    /** Bytes on disk (durable so far, while recording). */
    sizeB: Type.Integer({ minimum: 0 }),
    /** SHA-256 of the whole file, hex; null while recording. */
    sha256: Type.Union([Sha256, Type.Null()]),
    state: Type.Union([Type.Literal('recording'), Type.Literal('closed')]),
    /** The companion confirmed it holds this file (by checksum): it may be deleted. */
    confirmed: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type SessionMeta = Static<typeof SessionMeta>;
export const sessionMeta = validator('SessionMeta', SessionMeta);

export const SessionList = Type.Object({ sessions: Type.Array(SessionMeta) }, { additionalProperties: false });
export type SessionList = Static<typeof SessionList>;
export const sessionList = validator('SessionList', SessionList);

/** Body of POST /v1/sessions/:id/confirm. */
export const SessionConfirm = Type.Object({ sha256: Sha256 }, { additionalProperties: false });
export type SessionConfirm = Static<typeof SessionConfirm>;
