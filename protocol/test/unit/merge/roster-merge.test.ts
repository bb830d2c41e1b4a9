import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalJson, editRoster, emptyRoster, firstPullReport, latestRosterStamp, mergeRosters, receiveHlc, roster, rosterMembers, rosterReport, tickHlc,
  type Hlc, type Roster, type RosterEdit,
} from '../../../src/merge/index.js';
import { mergeOrSet } from '../../../src/merge/or-set.js';
import { seededRandom } from '../../seeded-random.js';
import { shuffle, treeMerge } from '../../helpers/merge-orders.js';

const MEMBERS = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => c.repeat(32));
const ROLES = ['coach', 'driver', 'analyst'] as const;
const NAMES = ['Team Red', 'Juniors', 'Class of May'];
type Merge = (a: Roster, b: Roster) => Roster;

interface Replica {
  roster: Roster;
  clock: Hlc;
  wall: number;
}

/**
 * Random offline edits on 3 to 5 laptops and online edits on the hub (node `hub`), with pushes
 * (the hub merges a laptop's roster) and pulls (a laptop merges the hub's) at random between
 * them; returns every replica's roster at the end, the hub's last.
 */
function randomHistory(rand: () => number, merge: Merge): Roster[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const replica = (node: string): Replica => ({ roster: emptyRoster(), clock: { ms: 0, n: 0, node }, wall: 1_700_000_000_000 + Math.floor((rand() - 0.5) * 10_000) });
  const laptops = Array.from({ length: 3 + Math.floor(rand() * 3) }, (_, i) => replica(`laptop-${i}`));
  const hub = replica('hub');
  const receive = (to: Replica, from: Roster) => {
    const seen = latestRosterStamp(from);
    to.roster = merge(to.roster, from);
    if (seen) to.clock = receiveHlc(to.clock, seen, to.wall);
  };
  const steps = 20 + Math.floor(rand() * 60);
  for (let s = 0; s < steps; s++) {
    const r = rand();
    const l = r < 0.2 ? hub : pick(laptops);
    l.wall += rand() < 0.3 ? 0 : Math.floor(rand() * 2000);
    const e = rand();
    if (e < 0.12) {
      if (l !== hub) receive(hub, l.roster); // a push
      continue;
    }
    if (e < 0.24) {
      if (l !== hub) receive(l, hub.roster); // a pull
      continue;
    }
    const member = pick(MEMBERS);
    const present = rosterMembers(l.roster).some((m) => m.memberId === member);
    const edit: RosterEdit =
      e < 0.55 ? { kind: 'add', memberId: member, role: pick(ROLES) }
      : e < 0.75 ? { kind: 'remove', memberId: member }
      : e < 0.9 && present ? { kind: 'set-role', memberId: member, role: pick(ROLES) }
      : { kind: 'rename', name: pick(NAMES) };
    l.clock = tickHlc(l.clock, l.wall);
    l.roster = editRoster(l.roster, edit, l.clock);
  }
  return [...laptops.map((l) => l.roster), hub.roster];
}

/** The first history whose replicas merged in another order, grouping or twice give another roster; null when none does. */
function convergenceFailure(merge: Merge, seed: number, cases: number): string | null {
  const rand = seededRandom(seed);
  for (let c = 0; c < cases; c++) {
    const all = randomHistory(rand, merge);
    const reference = canonicalJson(all.reduce(merge, emptyRoster()));
    for (let k = 0; k < 6; k++) {
      const merged = k % 2 === 0 ? shuffle(all, rand).reduce(merge, emptyRoster()) : treeMerge(all, rand, merge);
      if (canonicalJson(merged) !== reference) return `case ${c}, order ${k}`;
    }
    const whole = all.reduce(merge, emptyRoster());
    for (const r of all) if (canonicalJson(merge(whole, r)) !== reference) return `case ${c}: not idempotent`;
  }
  return null;
}

describe('merging team rosters', () => {
  it('300 seeded random histories over 3 to 5 laptops and the hub: every order and grouping of merges gives one roster', () => {
    assert.equal(convergenceFailure(mergeRosters, 0x7ea_16, 300), null);
    const rand = seededRandom(99);
    for (let c = 0; c < 50; c++) for (const r of randomHistory(rand, mergeRosters)) assert.ok(roster.is(r), `case ${c}: a valid roster`);
  });

  it('the same property catches deliberately broken merges (so it can fail)', () => {
    // Roles taken from whichever side is merged last: not commutative.
    const lastSideRoles: Merge = (a, b) => ({ ...mergeRosters(a, b), roles: { ...a.roles, ...b.roles } });
    assert.notEqual(convergenceFailure(lastSideRoles, 0x7ea_16, 300), null);
    // Tombstones of one side only: a remove comes and goes with the order of merging.
    const oneSideRemoves: Merge = (a, b) => ({ ...mergeRosters(a, b), members: { ...mergeOrSet(a.members, b.members), removed: a.members.removed } });
    assert.notEqual(convergenceFailure(oneSideRemoves, 0x7ea_16, 300), null);
  });

  it('observed remove: a remove takes away the adds it saw; an add it did not see survives; roles go to the later edit', () => {
    const at = (ms: number, node: string): Hlc => ({ ms, n: 0, node });
    const [ana, ben] = [MEMBERS[0]!, MEMBERS[1]!];
    const base = editRoster(editRoster(emptyRoster(), { kind: 'add', memberId: ana, role: 'driver' }, at(1, 'laptop-a')), { kind: 'add', memberId: ben, role: 'driver' }, at(2, 'laptop-a'));
    // Laptop B removes Ana; meanwhile the hub adds her again (online) and Laptop C makes Ben an analyst.
    const onB = editRoster(base, { kind: 'remove', memberId: ana }, at(10, 'laptop-b'));
    const onHub = editRoster(base, { kind: 'add', memberId: ana, role: 'coach' }, at(5, 'hub'));
    const onC = editRoster(base, { kind: 'set-role', memberId: ben, role: 'analyst' }, at(6, 'laptop-c'));
    const merged = mergeRosters(mergeRosters(onB, onHub), onC);
    assert.deepEqual(rosterMembers(merged), [{ memberId: ana, role: 'coach' }, { memberId: ben, role: 'analyst' }]);
    // What Laptop B's person sees when it merges: Ana back as a coach (the hub's edit), Ben an analyst.
    assert.deepEqual(
      rosterReport('0'.repeat(32), onB, merged).map((c) => [c.change, c.memberId, c.to, c.by]),
      [['member-added', ana, 'coach', 'hub'], ['role', ben, 'analyst', 'laptop-c']],
    );
    // A remove made after seeing the re-add wins over it.
    const later = editRoster(merged, { kind: 'remove', memberId: ana }, at(20, 'laptop-b'));
    assert.deepEqual(rosterMembers(mergeRosters(onHub, later)).map((m) => m.memberId), [ben]);
    assert.throws(() => editRoster(later, { kind: 'set-role', memberId: ana, role: 'driver' }, at(21, 'laptop-b')), /not in this group/);
  });
});

describe("a laptop's first pull of a roster", () => {
  const [ana, ben, cleo] = MEMBERS as [string, string, string];
  const at = (ms: number, node: string): Hlc => ({ ms, n: 0, node });
  // The hub's roster as a laptop first pulls it: named, three members, Ben a driver.
  let hub = editRoster(emptyRoster(), { kind: 'rename', name: 'Team Red' }, at(1, 'hub'));
  hub = editRoster(hub, { kind: 'add', memberId: ana, role: 'driver' }, at(2, 'hub'));
  hub = editRoster(hub, { kind: 'add', memberId: ben, role: 'driver' }, at(3, 'hub'));
  hub = editRoster(hub, { kind: 'set-role', memberId: ben, role: 'coach' }, at(9, 'hub'));

  it('with nothing here, reports nothing (rosterReport would list every member as merged)', () => {
    assert.equal(rosterReport('g'.repeat(32), emptyRoster(), mergeRosters(emptyRoster(), hub)).length, 3);
    assert.deepEqual(firstPullReport('g'.repeat(32), emptyRoster(), mergeRosters(emptyRoster(), hub)), []);
  });

  it('with edits made here before it, reports only where the hub changed what they touched', () => {
    // Offline, before ever pulling: the coach adds Ben as analyst (the hub made him coach later) and Cleo as driver.
    let mine = editRoster(emptyRoster(), { kind: 'add', memberId: ben, role: 'analyst' }, at(5, 'laptop-1'));
    mine = editRoster(mine, { kind: 'add', memberId: cleo, role: 'driver' }, at(6, 'laptop-1'));
    const merged = mergeRosters(mine, hub);
    assert.deepEqual(
      firstPullReport('g'.repeat(32), mine, merged).map((c) => [c.change, c.memberId, c.from, c.to, c.by]),
      [['role', ben, 'analyst', 'coach', 'hub']],
      "Ben's role, changed by a later edit on the hub, is reported; Ana and the name were the hub's before, Cleo is this laptop's own",
    );
    const renamed = editRoster(mine, { kind: 'rename', name: 'Reds' }, at(7, 'laptop-1'));
    assert.deepEqual(firstPullReport('g'.repeat(32), renamed, mergeRosters(renamed, hub)).map((c) => c.change), ['role'], 'its later rename wins: nothing to report');
    const early = editRoster(mine, { kind: 'rename', name: 'Reds' }, at(0, 'laptop-1'));
    assert.deepEqual(firstPullReport('g'.repeat(32), early, mergeRosters(early, hub)).map((c) => [c.change, c.to]), [['name', 'Team Red'], ['role', 'coach']], 'a name given here that the hub overrode is');
  });
});
