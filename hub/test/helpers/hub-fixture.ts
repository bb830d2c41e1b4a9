import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HubRoutes, type HubChallenge, type HubChallengePurpose, type RegistrationRequest } from '@pitwall/protocol';
import { publicKeyBase64, signRegistrationRequest } from '@pitwall/protocol/node';
import type { HubDatabase } from '../../src/db/open-database.js';
import { loadHubSigningKey, type HubSigningKey } from '../../src/hub-signing-key.js';
import { addMember, createOrganisation, linkDealer } from '../../src/organisations/members.js';
import { buildHubServer } from '../../src/server.js';
import type { TestDatabases } from './hub-databases.js';

/** A unit as the hub sees it: an id and an Ed25519 identity key (made as the unit makes its own). */
export interface TestUnit {
  unitId: string;
  model: string;
  key: KeyObject;
  publicKey: string;
}

export function makeUnit(model = 'PW-1'): TestUnit {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { unitId: randomUUID(), model, key: privateKey, publicKey: publicKeyBase64(privateKey) };
}

export interface HubFixture {
  hubDb: HubDatabase;
  app: FastifyInstance;
  key: HubSigningKey;
  academyId: string;
  otherAcademyId: string;
  dealerId: string;
  dealerToken: string;
  academyToken: string;
  /** The hub's clock (tests move it forward to expire things). */
  clock: { now: number };
}

/** A hub on a fresh database: one dealer serving one academy, a second academy it does not serve. */
export async function hubFixture(dbs: TestDatabases): Promise<HubFixture> {
  const hubDb = await dbs.fresh();
  const key = await loadHubSigningKey(`${dbs.tempDir()}/hub-key.pem`);
  const clock = { now: Date.now() };
  const app = buildHubServer({ db: hubDb.db, key, now: () => clock.now });
  const academyId = await createOrganisation(hubDb.db, 'Kart Academy North', 'academy');
  const otherAcademyId = await createOrganisation(hubDb.db, 'Academy South', 'academy');
  const dealerId = await createOrganisation(hubDb.db, 'Dealer One', 'dealer');
  await linkDealer(hubDb.db, dealerId, academyId);
  const dealerToken = (await addMember(hubDb.db, dealerId, 'Dana Dealer', 'admin')).token;
  const academyToken = (await addMember(hubDb.db, academyId, 'Ada Admin', 'admin')).token;
  return { hubDb, app, key, academyId, otherAcademyId, dealerId, dealerToken, academyToken, clock };
}

export async function challenge(app: FastifyInstance, purpose: HubChallengePurpose = 'live', token?: string): Promise<HubChallenge> {
  const res = await app.inject({ method: 'POST', url: HubRoutes.challenge.path, payload: { purpose }, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
  if (res.statusCode !== 201) throw new Error(`challenge: ${res.statusCode} ${res.body}`);
  return res.json() as HubChallenge;
}

export function register(app: FastifyInstance, request: RegistrationRequest | unknown) {
  return app.inject({ method: 'POST', url: HubRoutes.register.path, payload: request as object });
}

/** Fresh challenge, signed request, registration: the live flow of a unit online. */
export async function registerUnit(app: FastifyInstance, unit: TestUnit, claimCode?: string) {
  const c = await challenge(app);
  return register(app, signRegistrationRequest(unit.key, unit, c, claimCode));
}

export async function claimCode(app: FastifyInstance, token: string, academyId: string) {
  return app.inject({ method: 'POST', url: HubRoutes.claimCode.path, headers: { authorization: `Bearer ${token}` }, payload: { academyId } });
}
