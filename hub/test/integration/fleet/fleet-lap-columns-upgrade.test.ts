import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { packSharedLaps } from '@pitwall/protocol';
import { migrateUpTo } from '../../../src/db/migrations.js';
import { connectDatabase, openDatabase } from '../../../src/db/open-database.js';
import { readFleetLapColumns } from '../../../src/fleet/hub-lap-columns.js';
import { addMember, createOrganisation } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';

const TRACK = 'catalog:lydd-international';
const unit = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const lap = (n: number, sectorsMs: number[]) => ({ lap: n, timeMs: sectorsMs.reduce((a, b) => a + b, 0), sectorsMs });

// A hub upgraded from before fleet_lap_columns (migration 0007) packs the sessions shared until
// then, a page of 500 at a time: every one on a track, none off one or without laps, and the
// distribution reads them all.
for (const kind of DATABASE_KINDS) {
  describe(`fleet lap columns of an upgraded hub (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    after(() => dbs.close());

    test('sessions shared before the migration are packed by it, as a share packs them', async () => {
      const target = await dbs.target();
      const old = connectDatabase(target);
      const sessions: { unit_id: string; session_id: string; track_id: string | null; laps: ReturnType<typeof lap>[]; started_at: string }[] = [];
      let groupId: string;
      try {
        await migrateUpTo(old as Kysely<unknown>, '0004-track-registry');
        const orgId = await createOrganisation(old, 'Old Academy', 'academy');
        const driver = await addMember(old, orgId, 'Dee', 'member');
        groupId = 'a'.repeat(32);
        await old.insertInto('groups').values({ id: groupId, organisation_id: orgId, name: 'Red', created_at: '2026-01-01T00:00:00.000Z' }).execute();
        // More than a page, in an order that is not the key's.
        for (let i = 1205; i >= 0; i--) {
          const track_id = i % 100 === 7 ? null : TRACK;
          const laps = i % 100 === 8 ? [] : [lap(2, [20_000 + i, 21_000, 22_000]), lap(1, [19_000, 21_000 + i])];
          sessions.push({ unit_id: unit(i % 7), session_id: `s-${i}`, track_id, laps, started_at: new Date(Date.UTC(2026, 4, 1) + i * 60_000).toISOString() });
        }
        const rows = sessions.map((s) => ({ ...s, driver_id: driver.memberId, laps: JSON.stringify(s.laps), updated_at: s.started_at }));
        for (let i = 0; i < rows.length; i += 200) {
          await old.insertInto('shared_sessions').values(rows.slice(i, i + 200)).execute();
          await old.insertInto('session_shares').values(rows.slice(i, i + 200).map((r) => ({ group_id: groupId, unit_id: r.unit_id, session_id: r.session_id }))).execute();
        }
      } finally {
        await old.destroy();
      }
      const hub = await openDatabase(target);
      try {
        const packed = await hub.db.selectFrom('fleet_lap_columns').selectAll().execute();
        const expected = sessions.filter((s) => s.track_id !== null && s.laps.length > 0);
        assert.equal(packed.length, expected.length, 'one row for each session on a track with laps');
        for (const s of expected) {
          const row = packed.find((r) => r.unit_id === s.unit_id && r.session_id === s.session_id);
          assert.ok(row, `${s.unit_id}/${s.session_id} packed`);
          const p = packSharedLaps(s.started_at, s.laps);
          assert.deepEqual([row.track_id, row.laps, row.sectors], [TRACK, p.laps, p.sectors]);
          assert.deepEqual(Buffer.from(row.columns), Buffer.from(p.columns.buffer));
        }
        const cols = await readFleetLapColumns(hub.db, TRACK, [groupId]);
        assert.equal(cols.count, expected.length * 2);
        assert.equal(cols.sectorCount, 3);
      } finally {
        await hub.close();
      }
    });
  });
}
