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
];
