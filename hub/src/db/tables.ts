import type { ColumnType } from 'kysely';

/** Every moment is stored as ISO text (`toISOString()`), which sorts and compares the same in SQLite and PostgreSQL. */
type Time = string;

export interface OrganisationsTable {
  id: string;
  name: string;
  kind: 'vendor' | 'dealer' | 'academy';
  created_at: Time;
}

/** Which academies a dealer may make claim codes for. */
export interface DealerAcademiesTable {
  dealer_id: string;
  academy_id: string;
}

export interface MembersTable {
  id: string;
  organisation_id: string;
  name: string;
  role: string;
  /** SHA-256 of the bearer token, hex: the token itself is shown once and never stored. */
  token_hash: string;
  created_at: Time;
  /** The minute (since 1970, UTC) of the member's latest request, and their requests in it (migration 0009). */
  allowance_minute: ColumnType<number, number | undefined, number>;
  allowance_count: ColumnType<number, number | undefined, number>;
}

export interface ChallengesTable {
  id: string;
  nonce: string;
  purpose: 'live' | 'forward';
  expires_at: Time;
  used_at: Time | null;
  /** Who asked for a forward challenge (migration 0011); null for a live one, and for those issued before. */
  member_id: string | null;
}

export interface UnitsTable {
  unit_id: string;
  public_key: string;
  fingerprint: string;
  model: string;
  registered_at: Time;
  owner_id: string | null;
  /** The dealer whose claim code put the unit into its academy. */
  claimed_by: string | null;
}

export interface ClaimCodesTable {
  code_hash: string;
  academy_id: string;
  dealer_id: string;
  created_by: string;
  expires_at: Time;
  used_at: Time | null;
  unit_id: string | null;
}

/** Refusals that matter (a key that does not match the registered one) and registrations. */
export interface AuditTable {
  id: string;
  at: Time;
  kind: string;
  unit_id: string | null;
  /** JSON: what was presented, what was expected, from where. */
  detail: string;
}

export interface GroupsTable {
  id: string;
  organisation_id: string;
  name: string;
  created_at: Time;
}

export interface GroupMembersTable {
  group_id: string;
  member_id: string;
  role: 'coach' | 'driver' | 'analyst';
}

export interface SharedSessionsTable {
  unit_id: string;
  session_id: string;
  driver_id: string;
  started_at: Time;
  track_id: string | null;
  /** JSON: the laps as the driver shared them (SharedLap[]). */
  laps: string;
  updated_at: Time;
}

/** A shared session on a track, its laps packed for fleet distributions (protocol's packSharedLaps). */
export interface FleetLapColumnsTable {
  unit_id: string;
  session_id: string;
  track_id: string;
  driver_id: string;
  laps: number;
  sectors: number;
  /** Float64 columns, little-endian: lap numbers, start times, lap times, a column per sector. */
  columns: Uint8Array;
}

export interface SessionSharesTable {
  group_id: string;
  unit_id: string;
  session_id: string;
}

/** An organisation's registry: its newest version. */
export interface RegistryHeadsTable {
  organisation_id: string;
  /** bigint: PostgreSQL's driver hands it back as text. */
  version: number | string;
}

/** One track or group of an organisation's canonical book. */
export interface RegistryEntriesTable {
  organisation_id: string;
  kind: 'track' | 'group';
  key: string;
  /** JSON: the BookTrack or BookGroup (registers with their stamps). */
  value: string;
  /** Tracks: the id the registry resolved it to, the other raw ids in its class (JSON), the hub's signature (JSON). */
  registry_id: string | null;
  aliases: string | null;
  signature: string | null;
  version: number | string;
}

/** Who made each version of an entry: the member whose push changed it, from which laptop, which fields. */
export interface RegistryVersionsTable {
  organisation_id: string;
  version: number | string;
  kind: 'track' | 'group';
  key: string;
  member_id: string;
  author: string;
  laptop: string;
  at: Time;
  /** JSON array of the fields changed. */
  fields: string;
}

export interface RegistryLaptopsTable {
  node: string;
  member_id: string;
  organisation_id: string;
  high_water: string;
}

/** An academy's rosters: their newest version. */
export interface RosterHeadsTable {
  organisation_id: string;
  version: number | string;
}

/** A group's roster as CRDT state; group_members follows it. */
export interface GroupRostersTable {
  group_id: string;
  organisation_id: string;
  /** JSON: the protocol's Roster. */
  state: string;
  version: number | string;
}

/** Requests a client made in one minute to a rate-limited route (`bucket`: the route and the client's address). */
export interface RateLimitsTable {
  bucket: string;
  /** Minutes since 1970 (UTC). */
  minute: number;
  count: number;
}

export interface HubTables {
  organisations: OrganisationsTable;
  dealer_academies: DealerAcademiesTable;
  members: MembersTable;
  challenges: ChallengesTable;
  units: UnitsTable;
  claim_codes: ClaimCodesTable;
  audit: AuditTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  shared_sessions: SharedSessionsTable;
  session_shares: SessionSharesTable;
  registry_heads: RegistryHeadsTable;
  registry_entries: RegistryEntriesTable;
  registry_versions: RegistryVersionsTable;
  registry_laptops: RegistryLaptopsTable;
  roster_heads: RosterHeadsTable;
  group_rosters: GroupRostersTable;
  fleet_lap_columns: FleetLapColumnsTable;
  rate_limits: RateLimitsTable;
}
