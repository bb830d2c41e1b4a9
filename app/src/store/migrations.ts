/** Numbered schema migrations of the companion store. Append only: never edit a shipped one. */
export interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE units (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        model       TEXT NOT NULL,
        firmware    TEXT NOT NULL,
        commit_sha  TEXT,
        first_seen  INTEGER NOT NULL,
        last_seen   INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE links (
        unit_id    TEXT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
        kind       TEXT NOT NULL CHECK (kind IN ('mdns', 'usb', 'address')),
        target     TEXT NOT NULL,
        last_seen  INTEGER NOT NULL,
        PRIMARY KEY (unit_id, kind, target)
      ) STRICT;
      CREATE TABLE manual_addresses (
        target    TEXT PRIMARY KEY,
        unit_id   TEXT REFERENCES units(id) ON DELETE CASCADE,
        added_at  INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX manual_addresses_unit ON manual_addresses(unit_id);
    `,
  },
  {
    version: 2,
    sql: `
      -- The key pinned for a unit at pairing (its TLS certificate), and the role this operator holds.
      CREATE TABLE pins (
        unit_id      TEXT PRIMARY KEY REFERENCES units(id) ON DELETE CASCADE,
        fingerprint  TEXT NOT NULL CHECK (fingerprint LIKE 'SHA256:%'),
        certificate  TEXT NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('owner', 'staff', 'dealer', 'support')),
        via          TEXT NOT NULL CHECK (via IN ('usb', 'net')),
        paired_at    INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    sql: `
      -- Diagnostics pulled from units. Log records: one row per (unit, boot, seq), never twice.
      CREATE TABLE log_records (
        id          INTEGER PRIMARY KEY,
        unit_id     TEXT NOT NULL,
        boot        TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        time_ms     INTEGER NOT NULL,
        level       INTEGER NOT NULL,
        subsystem   TEXT NOT NULL,
        msg         TEXT NOT NULL,
        fw          TEXT NOT NULL,
        commit_sha  TEXT NOT NULL,
        -- the record's other fields (JSON object, redacted), searched with msg
        extra       TEXT NOT NULL,
        UNIQUE (unit_id, boot, seq)
      ) STRICT;
      -- Lists run newest-pulled first by id (a unit's records arrive in time order); one index per
      -- unit keeps ingest fast (every extra index costs a third of the insert rate).
      CREATE INDEX log_records_unit ON log_records(unit_id);
      -- Full-text index over msg + extra (external content: the text is stored once).
      CREATE VIRTUAL TABLE log_fts USING fts5(msg, extra, content='log_records', content_rowid='id', tokenize='unicode61');
      -- Rows are indexed by the writer, batch by batch, in the transaction that inserts them (an
      -- AFTER INSERT trigger into FTS5 is several times slower); deletes keep the index in step.
      CREATE TRIGGER log_records_ad AFTER DELETE ON log_records BEGIN
        INSERT INTO log_fts(log_fts, rowid, msg, extra) VALUES ('delete', old.id, old.msg, old.extra);
      END;
      -- Where the pull of each unit's boot stands: stored (committed here) and confirmed (told to the unit).
      CREATE TABLE log_cursors (
        unit_id        TEXT NOT NULL,
        boot           TEXT NOT NULL,
        started_at     TEXT NOT NULL,
        stored_seq     INTEGER NOT NULL,
        confirmed_seq  INTEGER NOT NULL,
        unit_last_seq  INTEGER NOT NULL,
        PRIMARY KEY (unit_id, boot)
      ) STRICT;
      -- Seq ranges that never reached the companion (rotated away on the unit, or lost there).
      CREATE TABLE log_gaps (
        unit_id   TEXT NOT NULL,
        boot      TEXT NOT NULL,
        from_seq  INTEGER NOT NULL,
        to_seq    INTEGER NOT NULL,
        found_at  INTEGER NOT NULL,
        PRIMARY KEY (unit_id, boot, from_seq)
      ) STRICT;
      CREATE TABLE health_snapshots (
        unit_id    TEXT NOT NULL,
        time_ms    INTEGER NOT NULL,
        boot       TEXT NOT NULL,
        time       TEXT NOT NULL,
        snapshot   TEXT NOT NULL,
        PRIMARY KEY (unit_id, time_ms, boot)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE crash_dumps (
        unit_id   TEXT NOT NULL,
        crash_id  TEXT NOT NULL,
        time_ms   INTEGER NOT NULL,
        time      TEXT NOT NULL,
        kind      TEXT NOT NULL,
        message   TEXT NOT NULL,
        fw        TEXT NOT NULL,
        dump      TEXT NOT NULL,
        confirmed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (unit_id, crash_id)
      ) STRICT;
      CREATE INDEX crash_dumps_time ON crash_dumps(time_ms);
      CREATE TABLE diagnostics_pulls (
        unit_id    TEXT PRIMARY KEY,
        last_pull  INTEGER NOT NULL,
        last_error TEXT
      ) STRICT;
    `,
  },
  {
    version: 4,
    sql: `
      -- Sessions pulled from units. (unit_id, session_id) is the identity: a second sync of the
      -- same session changes nothing. No foreign key to units: a forgotten unit keeps its sessions.
      CREATE TABLE sessions (
        id           INTEGER PRIMARY KEY,
        unit_id      TEXT NOT NULL,
        session_id   TEXT NOT NULL,
        sha256       TEXT NOT NULL,
        unit_name    TEXT NOT NULL,
        driver       TEXT,
        track_id     TEXT,
        started_at   REAL NOT NULL,
        ended_at     REAL NOT NULL,
        gnss_hz      REAL NOT NULL,
        fixes        INTEGER NOT NULL,
        imu_samples  INTEGER NOT NULL,
        size_b       INTEGER NOT NULL,
        header       TEXT NOT NULL,
        unit_laps    TEXT NOT NULL,
        synced_at    INTEGER NOT NULL,
        -- 0 while samples stream in during a download; only complete sessions are listed.
        complete     INTEGER NOT NULL DEFAULT 1 CHECK (complete IN (0, 1)),
        UNIQUE (unit_id, session_id)
      ) STRICT;
      CREATE TABLE session_fixes (
        session  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t        REAL NOT NULL,
        fix      INTEGER NOT NULL,
        lat      REAL, lon REAL, alt_m REAL, speed_mps REAL, course_deg REAL,
        sats     INTEGER NOT NULL,
        hdop     REAL,
        PRIMARY KEY (session, t)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE session_imu (
        session  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t        REAL NOT NULL,
        ax REAL NOT NULL, ay REAL NOT NULL, az REAL NOT NULL,
        gx REAL NOT NULL, gy REAL NOT NULL, gz REAL NOT NULL,
        PRIMARY KEY (session, t)
      ) STRICT, WITHOUT ROWID;
      -- Recomputed in the companion from the fixes and the track catalog (never the unit's own).
      CREATE TABLE session_laps (
        session      INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        lap          INTEGER NOT NULL,
        track_id     TEXT NOT NULL,
        start_t      REAL NOT NULL,
        end_t        REAL NOT NULL,
        time_ms      REAL NOT NULL,
        distance_m   REAL NOT NULL,
        sectors_ms   TEXT NOT NULL,
        PRIMARY KEY (session, lap)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX sessions_started ON sessions(started_at);
    `,
  },
  {
    version: 5,
    sql: `
      -- A layout chosen by hand for a session (pitwall laps --track, the Sessions screen); NULL:
      -- the track chooser decides by the driven path. Laps and exports follow it.
      ALTER TABLE sessions ADD COLUMN track_choice TEXT;
    `,
  },
  {
    version: 6,
    sql: `
      -- Tracks drawn in this companion from a driven lap (pitwall tracks add): a TrackDefinition
      -- as JSON, with an id computed from its geometry.
      CREATE TABLE own_tracks (
        id          TEXT PRIMARY KEY,
        definition  TEXT NOT NULL,
        created_at  INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 7,
    sql: `
      -- IMU samples in blocks instead of a row each (sessions/imu-blocks.ts: the unit's encoding when
      -- it is exact, else float64 rows), up to 4096 samples a block, in time order. The rows stored
      -- so far move into blocks; imu_block is the aggregate the store registers for this.
      CREATE TABLE session_imu_blocks (
        id       INTEGER PRIMARY KEY,
        session  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t0       REAL NOT NULL,
        t1       REAL NOT NULL,
        n        INTEGER NOT NULL,
        rows     BLOB NOT NULL
      ) STRICT;
      CREATE INDEX session_imu_blocks_session ON session_imu_blocks(session, t0);
      INSERT INTO session_imu_blocks (session, t0, t1, n, rows)
        SELECT session, min(t), max(t), count(*), imu_block(t, ax, ay, az, gx, gy, gz ORDER BY t)
        FROM (SELECT *, (row_number() OVER (PARTITION BY session ORDER BY t) - 1) / 4096 AS block FROM session_imu)
        GROUP BY session, block
        ORDER BY session, block;
      DROP TABLE session_imu;
    `,
  },
  {
    version: 8,
    sql: `
      -- The latest licence status each unit reported (Routes.license: a LicenseStatus as JSON),
      -- so the unit cards and the Licences screen show it offline too.
      CREATE TABLE unit_licenses (
        unit_id  TEXT PRIMARY KEY REFERENCES units(id) ON DELETE CASCADE,
        status   TEXT NOT NULL,
        seen_at  INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 9,
    sql: `
      -- The signature id of each own track (protocol/src/tracks/track-signature.ts); rows drawn
      -- before this are filled in when the companion next opens its tracks.
      ALTER TABLE own_tracks ADD COLUMN signature_id TEXT;
      -- The book of tracks and groups this laptop edits and merges with other laptops
      -- (protocol/src/tracks/track-book.ts): one row, with this laptop's id and clock.
      CREATE TABLE track_book (
        id     INTEGER PRIMARY KEY CHECK (id = 1),
        node   TEXT NOT NULL,
        clock  TEXT NOT NULL,
        book   TEXT NOT NULL
      ) STRICT;
      -- What each merge changed here (a MergeChange as JSON), newest last.
      CREATE TABLE track_merges (
        id         INTEGER PRIMARY KEY,
        merged_at  INTEGER NOT NULL,
        entity     TEXT NOT NULL,
        key        TEXT NOT NULL,
        change     TEXT NOT NULL
      ) STRICT;
      CREATE INDEX track_merges_key ON track_merges(entity, key);
    `,
  },
  {
    version: 10,
    sql: `
      -- The laps of each session as columns for the fleet distributions (sessions/lap-features.ts),
      -- written with the laps: one row per session keyed by track first, so one track's laps are
      -- one range of few rows (a session's 25 laps in one blob, not 25 rows); the session's driver
      -- and unit copied in (they never change), nothing joined. columns: float64 little-endian,
      -- lap numbers, start times, lap times, then a column per sector (NaN: incomplete) and one per
      -- corner's minimum speed in km/h (NaN: unknown), each as long as the laps. Sessions stored before this
      -- version are filled in by the companion at start (SessionStore.fillLapFeatures).
      CREATE TABLE lap_features (
        track_id   TEXT NOT NULL,
        session    INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        driver     TEXT,
        unit_id    TEXT NOT NULL,
        unit_name  TEXT NOT NULL,
        laps       INTEGER NOT NULL,
        sectors    INTEGER NOT NULL,
        corners    INTEGER NOT NULL,
        columns    BLOB NOT NULL,
        PRIMARY KEY (track_id, session)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX lap_features_session ON lap_features(session);
    `,
  },
  {
    version: 11,
    sql: `
      -- Sessions of other drivers synced from the hub's groups (pitwall hub sync, app/src/hub/),
      -- packed as lap_features' columns (no corners: the hub keeps laps and sector times) so the
      -- fleet distributions read them offline with this store's own; unit_id and session_id as
      -- the hub names them (a session of this store shared and synced back is read once).
      CREATE TABLE hub_lap_features (
        unit_id    TEXT NOT NULL,
        session_id TEXT NOT NULL,
        track_id   TEXT NOT NULL,
        driver     TEXT NOT NULL,
        laps       INTEGER NOT NULL,
        sectors    INTEGER NOT NULL,
        corners    INTEGER NOT NULL,
        columns    BLOB NOT NULL,
        PRIMARY KEY (unit_id, session_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX hub_lap_features_track ON hub_lap_features(track_id);
      -- Where each group's sync goes on from, per hub (syncGroup's cursor).
      CREATE TABLE hub_group_cursors (
        hub      TEXT NOT NULL,
        group_id TEXT NOT NULL,
        cursor   TEXT,
        PRIMARY KEY (hub, group_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 12,
    sql: `
      -- The companion's link to one hub (app/src/hub/hub-state.ts): its URL and signing key, pinned
      -- on first use; the member token is not here but in the secret store.
      CREATE TABLE hub_link (
        id               INTEGER PRIMARY KEY CHECK (id = 1),
        url              TEXT NOT NULL,
        public_key       TEXT NOT NULL,
        fingerprint      TEXT NOT NULL,
        pinned_at        INTEGER NOT NULL,
        member_name      TEXT,
        organisation     TEXT,
        last_sync_at     INTEGER,
        last_shared      INTEGER NOT NULL DEFAULT 0,
        problem          TEXT,
        offline          INTEGER NOT NULL DEFAULT 0,
        registry_at      INTEGER,
        registry_pushed  INTEGER,
        registry_pulled  INTEGER,
        registry_changes TEXT NOT NULL DEFAULT '[]',
        registry_error   TEXT,
        -- The other key a hub at this URL showed (refused), until a check finds the pinned one again.
        presented_key    TEXT
      ) STRICT;
      -- The groups the member is in (as the hub last said), which of them to sync, how the last went.
      CREATE TABLE hub_groups (
        group_id     TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        role         TEXT NOT NULL,
        chosen       INTEGER NOT NULL DEFAULT 0,
        last_sync_at INTEGER,
        changed      INTEGER,
        error        TEXT
      ) STRICT, WITHOUT ROWID;
      -- Sessions of this store waiting to be shared (offline-first: kept until the hub takes them).
      CREATE TABLE hub_share_queue (
        session   INTEGER PRIMARY KEY,
        groups    TEXT NOT NULL,
        queued_at INTEGER NOT NULL,
        error     TEXT
      ) STRICT;
      -- Sessions of this store the hub took, with which groups and when (shown beside each session).
      CREATE TABLE hub_shared_sessions (
        session   INTEGER PRIMARY KEY,
        groups    TEXT NOT NULL,
        shared_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 13,
    sql: `
      -- Team rosters, per hub (app/src/hub/team-rosters.ts): each group's roster as CRDT state,
      -- the names of its members as the hub last said them, and whether it holds edits made here
      -- that the hub has not taken yet.
      CREATE TABLE team_rosters (
        hub      TEXT NOT NULL,
        group_id TEXT NOT NULL,
        state    TEXT NOT NULL,
        names    TEXT NOT NULL,
        pending  INTEGER NOT NULL,
        PRIMARY KEY (hub, group_id)
      ) STRICT, WITHOUT ROWID;
      -- What each merge of a pulled roster changed here (edits made elsewhere), for a person to see.
      CREATE TABLE roster_merges (
        id        INTEGER PRIMARY KEY,
        hub       TEXT NOT NULL,
        group_id  TEXT NOT NULL,
        merged_at INTEGER NOT NULL,
        change    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX roster_merges_group ON roster_merges(hub, group_id);
      -- This laptop's clock for roster edits, per hub.
      CREATE TABLE roster_clocks (
        hub   TEXT PRIMARY KEY,
        clock TEXT NOT NULL
      ) STRICT;
      -- Where a pull from a hub goes on from (kind: 'tracks' the registry, 'rosters'), and the
      -- digest of what was last pushed (a sync with nothing new pushes nothing).
      CREATE TABLE hub_pull_cursors (
        hub     TEXT NOT NULL,
        kind    TEXT NOT NULL,
        version INTEGER NOT NULL,
        pushed  TEXT,
        PRIMARY KEY (hub, kind)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 14,
    sql: `
      -- Whether this laptop has pulled the hub's roster of the group (app/src/hub/team-rosters.ts):
      -- a first pull has nothing here to merge into, so it reports nothing as merged from
      -- elsewhere. Rosters held before this migration were pulled.
      ALTER TABLE team_rosters ADD COLUMN pulled INTEGER NOT NULL DEFAULT 1;
      -- What such first pulls reported before (every member and the name, each "from nothing") goes:
      -- a group's earliest merge when all of it is adds and a name from nothing. A merge with
      -- anything else in it is kept whole.
      DELETE FROM roster_merges WHERE id IN (
        SELECT m.id FROM roster_merges m
        JOIN (SELECT hub, group_id, min(merged_at) AS first FROM roster_merges GROUP BY hub, group_id) f
          ON f.hub = m.hub AND f.group_id = m.group_id AND m.merged_at = f.first
        WHERE NOT EXISTS (
          SELECT 1 FROM roster_merges x
          WHERE x.hub = m.hub AND x.group_id = m.group_id AND x.merged_at = f.first
            AND NOT (json_extract(x.change, '$.change') IN ('member-added', 'name') AND json_extract(x.change, '$.from') IS NULL)
        )
      );
      -- The groups the member of a hub token was in when the hub last said (pitwall hub sync
      -- without --group, app/src/hub/sync-groups.ts): what a sync uses while the hub is out of reach.
      CREATE TABLE hub_member_groups (
        hub      TEXT NOT NULL,
        group_id TEXT NOT NULL,
        name     TEXT NOT NULL,
        role     TEXT NOT NULL,
        seen_at  INTEGER NOT NULL,
        PRIMARY KEY (hub, group_id)
      ) STRICT, WITHOUT ROWID;
      -- Each roster edit made here that the hub has not taken yet (a person sees them one by one);
      -- a push the hub takes deletes the ones it carried, a discard the group's.
      CREATE TABLE roster_edits (
        id       INTEGER PRIMARY KEY,
        hub      TEXT NOT NULL,
        group_id TEXT NOT NULL,
        edit     TEXT NOT NULL,
        made_at  INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX roster_edits_group ON roster_edits(hub, group_id);
    `,
  },
];
