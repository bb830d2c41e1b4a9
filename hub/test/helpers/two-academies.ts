import type { FastifyInstance, InjectOptions } from 'fastify';
import { HubRoutes, emptyBook, putTrack, type Group, type TrackBook, type TrackDefinition } from '@pitwall/protocol';
import { catalog } from '../../../protocol/test/helpers/catalog-file.js';
import type { HubTables } from '../../src/db/tables.js';
import { addMember, createOrganisation, linkDealer } from '../../src/organisations/members.js';
import { makeUnit, registerUnit, type HubFixture } from './hub-fixture.js';

export interface Person {
  id: string;
  token: string;
}

/** One academy with everything a member route can address: a group with a driver, a shared session, a registry entry. */
export interface AcademyWorld {
  id: string;
  admin: Person;
  driver: Person;
  dealer: Person;
  groupId: string;
  unitId: string;
  sessionId: string;
  trackId: string;
  laptop: string;
}

export const auth = (p: Person) => ({ authorization: `Bearer ${p.token}` });
export const pathOf = (p: string, params: Record<string, string>) => p.replace(/:([A-Za-z]+)/g, (_, k: string) => encodeURIComponent(params[k]!));

const sonoma = catalog().find((t) => t.id === 'sonoma-raceway-sonoma-race')! as TrackDefinition;

/** A laptop's book with one track, as a companion pushes it. */
export function bookWith(name: string, laptop: string): TrackBook {
  return putTrack(emptyBook(), `own-${laptop}`, { geometry: { startFinish: sonoma.startFinish, lengthM: sonoma.lengthM, outline: sonoma.outline! }, name, sectors: [] }, { ms: Date.now() - 60_000, n: 0, node: laptop });
}

async function must(app: FastifyInstance, opts: InjectOptions, status: number) {
  const res = await app.inject(opts);
  if (res.statusCode !== status) throw new Error(`${String(opts.method)} ${String(opts.url)}: ${res.statusCode} ${res.body}`);
  return res;
}

/** An academy served by its own dealer, with a group, a driver in it, a unit its dealer claimed for it, a session of that unit shared with the group, and a track in its registry. */
export async function academyWorld(f: HubFixture, name: string): Promise<AcademyWorld> {
  const db = f.hubDb.db;
  const id = await createOrganisation(db, name, 'academy');
  const dealerOrg = await createOrganisation(db, `${name} dealer`, 'dealer');
  await linkDealer(db, dealerOrg, id);
  const person = async (org: string, n: string, role: string): Promise<Person> => {
    const m = await addMember(db, org, n, role);
    return { id: m.memberId, token: m.token };
  };
  const admin = await person(id, `${name} admin`, 'admin');
  const driver = await person(id, `${name} driver`, 'member');
  const dealer = await person(dealerOrg, `${name} dealer`, 'admin');
  const groupId = ((await must(f.app, { method: 'POST', url: HubRoutes.createGroup.path, headers: auth(admin), payload: { name: `${name} team` } }, 201)).json() as Group).groupId;
  await must(f.app, { method: 'POST', url: pathOf(HubRoutes.addGroupMember.path, { groupId }), headers: auth(admin), payload: { memberId: driver.id, role: 'driver' } }, 200);
  const unit = makeUnit();
  const code = (await must(f.app, { method: 'POST', url: HubRoutes.claimCode.path, headers: auth(dealer), payload: { academyId: id } }, 201)).json() as { code: string };
  const registered = await registerUnit(f.app, unit, code.code);
  if (registered.statusCode !== 201) throw new Error(`registration of ${name}'s unit: ${registered.statusCode} ${registered.body}`);
  const unitId = unit.unitId;
  const sessionId = `s-${name.replace(/\W/g, '')}`;
  const trackId = 'catalog:sonoma-raceway-sonoma-race';
  await must(
    f.app,
    {
      method: 'PUT',
      url: pathOf(HubRoutes.shareSession.path, { unitId, sessionId }),
      headers: auth(driver),
      payload: { startedAt: '2026-05-01T10:00:00.000Z', trackId, laps: [{ lap: 1, timeMs: 95_000, sectorsMs: [40_000, 55_000] }], groups: [groupId] },
    },
    200,
  );
  const laptop = `laptop-${name.replace(/\W/g, '').toLowerCase()}`;
  await must(f.app, { method: 'POST', url: HubRoutes.registryPush.path, headers: auth(admin), payload: { laptop, book: bookWith(`${name} Sonoma`, laptop) } }, 200);
  return { id, admin, driver, dealer, groupId, unitId, sessionId, trackId, laptop };
}

export const HUB_TABLES: readonly (keyof HubTables)[] = [
  'organisations', 'dealer_academies', 'members', 'challenges', 'units', 'claim_codes', 'audit', 'groups', 'group_members',
  'shared_sessions', 'session_shares', 'registry_heads', 'registry_entries', 'registry_versions', 'registry_laptops', 'rate_limits',
];

/** A request's count against an allowance: not data a refusal may not write. */
const COUNTS = new Set(['allowance_minute', 'allowance_count']);

/** Every row of every table (but the rate limits' counts), as sorted JSON lines: equal before and after = nothing written. */
export async function snapshot(f: HubFixture, skip: readonly (keyof HubTables)[] = ['rate_limits']): Promise<string> {
  const parts: string[] = [];
  for (const t of HUB_TABLES.filter((t) => !skip.includes(t))) {
    const rows = await f.hubDb.db.selectFrom(t).selectAll().execute();
    parts.push(`${t}:${rows.map((r) => JSON.stringify(r, (k, v: unknown) => (COUNTS.has(k) ? undefined : v))).sort().join('\n')}`);
  }
  return parts.join('\n\n');
}
