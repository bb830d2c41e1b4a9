import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompanionError } from '@pitwall/protocol';
import { TeamRosters } from '../../../src/hub/team-rosters.js';
import { TrackBookStore } from '../../../src/sessions/track-book-store.js';
import { migrate, openDatabase } from '../../../src/store/database.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { storeWriter } from '../../../src/store/store-writer.js';

const G = 'a'.repeat(32);
const M = 'b'.repeat(32);
const N = 'c'.repeat(32);

test('edits made here: stamped by one clock under the laptop id of the track book, refused ones leave nothing', () => {
  const db = openDatabase(null);
  try {
    let now = 1_700_000_000_000;
    const book = new TrackBookStore(db, () => now);
    book.merge({ tracks: {}, groups: { g: { members: { adds: {}, removed: [] }, name: { value: 'x', at: { ms: 1, n: 0, node: 'laptop-other' } } } } });
    const node = book.load().node;
    const rosters = new TeamRosters(db, 'http://hub.example:8080/some/path', () => now);
    assert.equal(rosters.hub, 'http://hub.example:8080');
    const refused = (fn: () => unknown, code: string) => assert.throws(fn, (e: unknown) => e instanceof CompanionError && e.code === code);
    refused(() => rosters.edit('nope', { kind: 'add', memberId: M, role: 'driver' }), 'invalid-params');
    refused(() => rosters.edit(G, { kind: 'add', memberId: 'x', role: 'driver' }), 'invalid-params');
    refused(() => rosters.edit(G, { kind: 'remove', memberId: M }), 'not-found');
    refused(() => rosters.edit(G, { kind: 'set-role', memberId: M, role: 'coach' }), 'not-found');
    refused(() => rosters.edit(G, { kind: 'rename', name: 'x'.repeat(81) }), 'invalid-params');
    assert.deepEqual(rosters.list(), [], 'nothing stored');

    rosters.edit(G, { kind: 'add', memberId: M, role: 'driver' });
    rosters.edit(G, { kind: 'add', memberId: N, role: 'driver' }); // the same millisecond: the counter moves
    now -= 60_000; // the wall clock steps back: stamps still move on
    const view = rosters.edit(G, { kind: 'set-role', memberId: M, role: 'analyst' });
    assert.deepEqual(view.members.map((m) => [m.memberId, m.role]), [[M, 'analyst'], [N, 'driver']]);
    assert.equal(view.pending, true);
    const state = JSON.parse((db.prepare('SELECT state FROM team_rosters').get() as { state: string }).state) as { roles: Record<string, { at: { ms: number; n: number; node: string } }> };
    const [m, n] = [state.roles[M]!.at, state.roles[N]!.at];
    assert.equal(m.node, node, "the track book's laptop id");
    assert.ok(m.ms > n.ms || (m.ms === n.ms && m.n > n.n), 'the later edit has the later stamp');
    refused(() => rosters.discard('f'.repeat(32)), 'not-found');
    rosters.discard(G);
    assert.deepEqual(rosters.list(), []);
  } finally {
    db.close();
  }
});

test('edits not pushed yet are kept one by one; a push takes those it carried, an edit made meanwhile still waits', () => {
  const db = openDatabase(null);
  try {
    let now = 1_700_000_000_000;
    const rosters = new TeamRosters(db, 'http://hub.example:8080', () => now);
    rosters.edit(G, { kind: 'add', memberId: M, role: 'driver' });
    now += 1000;
    rosters.edit(G, { kind: 'set-role', memberId: M, role: 'analyst' });
    now += 1000;
    rosters.edit(G, { kind: 'rename', name: 'Team Red' });
    const view = rosters.show(G);
    assert.deepEqual(
      view.unpushed.map((u) => [u.edit, u.madeAt]),
      [
        [{ kind: 'add', memberId: M, role: 'driver' }, 1_700_000_000_000],
        [{ kind: 'set-role', memberId: M, role: 'analyst' }, 1_700_000_001_000],
        [{ kind: 'rename', name: 'Team Red' }, 1_700_000_002_000],
      ],
    );
    // A refused edit leaves no line.
    assert.throws(() => rosters.edit(G, { kind: 'remove', memberId: N }));
    assert.equal(rosters.show(G).unpushed.length, 3);

    // The hub takes a push that carried the first two edits; the rename, made during the push, still waits.
    storeWriter(db).run('rosters.pushed', rosters.hub, [G], view.unpushed[1]!.id);
    assert.deepEqual(rosters.show(G).unpushed.map((u) => u.edit.kind), ['rename']);
    assert.equal(rosters.show(G).pending, true, 'an edit still waits');
    storeWriter(db).run('rosters.pushed', rosters.hub, [G], view.unpushed[2]!.id);
    assert.deepEqual([rosters.show(G).unpushed, rosters.show(G).pending], [[], false]);

    // Another hub's edits are its own; a discard drops the group's with its roster.
    const other = new TeamRosters(db, 'http://other.example', () => now);
    other.edit(G, { kind: 'add', memberId: N, role: 'coach' });
    rosters.edit(G, { kind: 'remove', memberId: M });
    assert.deepEqual(other.show(G).unpushed.map((u) => u.edit.kind), ['add']);
    rosters.discard(G);
    assert.equal((db.prepare('SELECT count(*) AS n FROM roster_edits WHERE hub = ?').get(rosters.hub) as { n: number }).n, 0);
    assert.equal(other.show(G).unpushed.length, 1);
  } finally {
    db.close();
  }
});

test('store migration 14 drops what first pulls reported as merged (adds and a name from nothing), keeps every other merge', () => {
  const db = openDatabase(null, MIGRATIONS.filter((m) => m.version <= 13));
  try {
    const put = (group: string, at: number, change: object) =>
      db.prepare('INSERT INTO roster_merges (hub, group_id, merged_at, change) VALUES (?,?,?,?)').run('http://hub', group, at, JSON.stringify({ groupId: group, memberId: null, by: 'hub', atMs: 1, ...change }));
    const [g1, g2] = ['1'.repeat(32), '2'.repeat(32)];
    // g1: a first pull's noise, then a real merge later with a member added.
    put(g1, 100, { change: 'name', from: null, to: 'Team Red' });
    put(g1, 100, { change: 'member-added', memberId: M, from: null, to: 'driver' });
    put(g1, 200, { change: 'member-added', memberId: N, from: null, to: 'coach' });
    // g2: its earliest merge holds a role change (edits made here before the first pull): kept whole.
    put(g2, 100, { change: 'member-added', memberId: M, from: null, to: 'driver' });
    put(g2, 100, { change: 'role', memberId: N, from: 'analyst', to: 'coach' });
    migrate(db);
    const left = db.prepare('SELECT group_id, merged_at FROM roster_merges ORDER BY id').all() as { group_id: string; merged_at: number }[];
    assert.deepEqual(left.map((r) => [r.group_id, r.merged_at]), [[g1, 200], [g2, 100], [g2, 100]]);
  } finally {
    db.close();
  }
});
