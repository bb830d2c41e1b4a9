import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import {
  answerCheckFor,
  API_PREFIX,
  apiError,
  METHOD_CHECKED_PATHS,
  rolesAllowed,
  routeName,
  routePath,
  ROUTE_LIST,
  Routes,
  type AnyRoute,
  type RouteKey,
} from '@pitwall/protocol';
import type { MissingRoutes } from '../../../testbed/fake-routes.js';

/** A client key and certificate (PEM). */
export interface Creds {
  keyPem: string;
  certPem: string;
  fingerprint: string;
}

/**
 * A unit under the route contract: the real sim unit or one of the testbed's fakes. What a fake
 * leaves out it declares, with the reason; the suite checks each declaration.
 */
export interface ContractUnit {
  base: string;
  /** Routes it does not serve (each must answer 404). */
  missing: MissingRoutes;
  /** The key authenticated calls are made with (an owner on the sim unit; any key on a fake). */
  owner: Creds;
  /** Operators of a given role, for the role refusals; a string: why this unit does not check roles. */
  roles: { support: Creds; stranger: Creds } | string;
  /** Set when the bodies are hostile on purpose: then only the statuses are the contract's. */
  hostileBodies?: string;
  /** Opens network pairing (the pair button) before POST /v1/pairing. */
  openPairing?: () => Promise<void>;
  /** A key fingerprint the suite may revoke. */
  revokable?: string;
  /** The routes the unit registered (method and path), where it can tell. */
  registered?: () => Promise<string[]>;
  close(): Promise<void>;
}

/** A request's parts, untyped: the suite sends every route of the table alike. */
interface Args {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

interface Answer {
  status: number;
  type: string;
  body: Buffer;
}

function call(base: string, r: AnyRoute, args: Args, creds: Creds | null, path = routePath(r, args as never)): Promise<Answer> {
  const body = args.body === undefined ? undefined : Buffer.from(JSON.stringify(args.body));
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method: r.method,
        agent: false,
        rejectUnauthorized: false,
        ...(creds ? { key: creds.keyPem, cert: creds.certPem } : {}),
        headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        const type = String(res.headers['content-type'] ?? '');
        const done = () => resolve({ status: res.statusCode ?? 0, type, body: Buffer.concat(chunks) });
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          // A live stream never ends: its first event is enough.
          if (type.startsWith('text/event-stream') && /\ndata: .*\n\n/.test(Buffer.concat(chunks).toString('utf8'))) {
            done();
            req.destroy();
          }
        });
        res.on('end', done);
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${routeName(r)}: no answer in 30 s`)));
    req.end(body);
  });
}

/** The documents an answer carries: the whole body (json), each line (ndjson), each event's data (sse). */
function documents(r: AnyRoute, a: Answer): unknown[] {
  const text = a.body.toString('utf8');
  if (r.stream === 'json') return [text === '' ? null : JSON.parse(text)];
  if (r.stream === 'ndjson') return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  if (r.stream === 'sse') return [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
  return [];
}

function assertConforms(r: AnyRoute, a: Answer, hostile: string | undefined): void {
  const what = `${routeName(r)} answered ${a.status} ${a.body.toString('utf8').slice(0, 200)}`;
  assert.ok(answerCheckFor(r, a.status), `${what}: not a status the table declares for it`);
  if (hostile) return;
  if (r.stream === 'bytes') {
    assert.match(a.type, /^application\/octet-stream/, what);
    return;
  }
  if (r.stream === 'sse') assert.match(a.type, /^text\/event-stream/, what);
  if (r.stream === 'ndjson') assert.match(a.type, /^application\/x-ndjson/, what);
  const docs = documents(r, a);
  if (r.stream === 'sse') assert.ok(docs.length > 0, `${what}: no event`);
  for (const d of docs) answerCheckFor(r, a.status)!.parse(d);
}

function assertRefusal(r: AnyRoute, a: Answer, status: number, why: string): void {
  assert.equal(a.status, status, `${routeName(r)} ${why}: ${a.status} ${a.body.toString('utf8').slice(0, 200)}`);
  if (a.status !== 405 || a.body.length > 0) apiError.parse(JSON.parse(a.body.toString('utf8')));
}

/** What the suite sends to each route, and what it expects instead of an answer (a refusal status) where the unit has nothing to act on. */
type Probe = (bag: Map<string, string>, u: ContractUnit) => { args?: Args; refusal?: number };
const NO_SUCH_REQUEST = 'ffffffffffffffff';
const NO_SUCH_PROFILE = '00000000-0000-4000-8000-000000000000';
const NOT_SIGNED = { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', verificationMaterial: {}, dsseEnvelope: {} };

const CONTRACT_HUB_KEY = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const NOT_THIS_HUBS_RECORD = {
  record: { unitId: NO_SUCH_PROFILE, publicKey: CONTRACT_HUB_KEY, fingerprint: `SHA256:${'A'.repeat(43)}`, model: 'contract', registeredAt: '2026-01-01T00:00:00.000Z', owner: null },
  hubKey: `SHA256:${'A'.repeat(43)}`,
  signature: `${'A'.repeat(86)}==`,
};

// A record: the compiler refuses a table route without its probe.
const PROBES: Record<RouteKey, Probe> = {
  info: () => ({}),
  status: () => ({}),
  live: () => ({ args: { query: { maxHz: 5 } } }),
  pairingWindow: () => ({}),
  pair: () => ({ args: { body: { operatorName: 'contract support', role: 'support' } } }),
  ownerRequests: () => ({}),
  approveOwnerRequest: () => ({ args: { params: { id: NO_SUCH_REQUEST } }, refusal: 404 }),
  denyOwnerRequest: () => ({ args: { params: { id: NO_SUCH_REQUEST } }, refusal: 404 }),
  operators: () => ({}),
  revokeOperator: (_b, u) => (u.revokable ? { args: { params: { fingerprint: u.revokable } } } : { args: { params: { fingerprint: 'SHA256:' + 'A'.repeat(43) } }, refusal: 404 }),
  audit: () => ({ args: { query: { after: 0, limit: 100 } } }),
  challenge: () => ({ args: { body: { nonce: randomBytes(32).toString('base64') } } }),
  health: () => ({}),
  crashes: () => ({}),
  crash: (b) => (b.has('crash') ? { args: { params: { id: b.get('crash')! } } } : { args: { params: { id: 'no-such-crash' } }, refusal: 404 }),
  confirmCrashes: () => ({ args: { body: { ids: [] } } }),
  logBoots: () => ({}),
  logs: (b) => ({ args: { query: { boot: b.get('boot')!, after: 0, limit: 50 } } }),
  confirmLogs: (b) => ({ args: { body: { boot: b.get('boot')!, seq: 0 } } }),
  sessions: () => ({}),
  startSession: () => ({}),
  stopSession: () => ({}),
  sessionFile: (b) => ({ args: { params: { id: b.get('session')! } } }),
  confirmSession: (b) => ({ args: { params: { id: b.get('session')! }, body: { sha256: b.get('sha256')! } } }),
  deleteSession: (b) => ({ args: { params: { id: b.get('session')! } } }),
  ownTracks: () => ({}),
  pushOwnTracks: () => ({ args: { body: { tracks: [] } } }),
  update: () => ({}),
  // No bundle body (the contract units pin no vendor key): refused as the wrong media type.
  pushUpdate: () => ({ refusal: 415 }),
  supportStatus: () => ({}),
  // A unit with no relay configured (the sim) refuses to start support: 409 with its reason.
  supportOn: () => ({ args: { body: { durationS: 60 } }, refusal: 409 }),
  supportOff: () => ({}),
  wifiStatus: () => ({}),
  wifiNetworks: () => ({ args: { query: { rescan: 'no' } } }),
  wifiProfiles: () => ({}),
  addWifiProfile: () => ({ args: { body: { ssid: 'contract', security: 'open' } } }),
  removeWifiProfile: (b) => (b.has('wifi') ? { args: { params: { uuid: b.get('wifi')! } } } : { args: { params: { uuid: NO_SUCH_PROFILE } }, refusal: 404 }),
  wifiPriority: () => ({ args: { params: { uuid: NO_SUCH_PROFILE }, body: { priority: 5 } }, refusal: 404 }),
  connectWifi: () => ({ args: { params: { uuid: NO_SUCH_PROFILE } }, refusal: 404 }),
  wifiMode: () => ({ args: { body: { mode: 'client' } } }),
  recovery: () => ({}),
  // Recovery mode with one slot: nothing to roll back to (409); a reset must name this unit (400).
  recoveryRollback: () => ({ args: { body: { slot: 'B' } }, refusal: 409 }),
  // Like pushUpdate: no bundle body, refused as the wrong media type.
  recoveryInstall: () => ({ refusal: 415 }),
  factoryReset: () => ({ args: { body: { confirmUnitId: 'not-this-unit' } }, refusal: 400 }),
  license: () => ({}),
  // The outline of a signed file without a signature: refused as unsigned (400), the held licence unchanged.
  licenseInstall: () => ({ args: { body: NOT_SIGNED }, refusal: 400 }),
  licenseRevocations: () => ({ args: { body: NOT_SIGNED }, refusal: 400 }),
  hubRegistration: () => ({}),
  hubRegistrationRequest: () => ({ args: { body: { challengeId: 'c'.repeat(32), nonce: randomBytes(32).toString('base64'), hubPublicKey: CONTRACT_HUB_KEY } } }),
  // A record whose hub key fingerprint is not the key it came with: refused (400), nothing kept.
  hubRegistrationStore: () => ({ args: { body: { answer: NOT_THIS_HUBS_RECORD, hubPublicKey: CONTRACT_HUB_KEY } }, refusal: 400 }),
};

/** What a served answer tells the later probes (ids to fetch, confirm and delete). */
function remember(key: RouteKey, a: Answer, bag: Map<string, string>): void {
  if (a.status < 200 || a.status > 299 || a.type.startsWith('application/octet-stream')) return;
  let doc: unknown;
  try {
    doc = JSON.parse(a.body.toString('utf8'));
  } catch {
    return;
  }
  const d = doc as { crashes?: { id: string }[]; boots?: { boot: string }[]; sessions?: { id: string; sha256: string | null; state: string }[]; id?: string; sha256?: string | null };
  if (key === 'crashes' && d.crashes?.[0]) bag.set('crash', d.crashes[0].id);
  if (key === 'addWifiProfile' && typeof (doc as { uuid?: unknown }).uuid === 'string') bag.set('wifi', (doc as { uuid: string }).uuid);
  if (key === 'logBoots' && d.boots?.length) bag.set('boot', d.boots.at(-1)!.boot);
  const closed = key === 'sessions' ? d.sessions?.find((s) => s.state === 'closed' && s.sha256) : key === 'stopSession' ? d : undefined;
  if (closed?.id && closed.sha256) {
    bag.set('session', closed.id);
    bag.set('sha256', closed.sha256);
  }
}

/**
 * The route contract, run against one unit: every route of the table answers as the table says
 * (status, body and schema) or is declared missing and answers 404; routes that need a role
 * refuse an operator of too low a role (403) and a key that is not paired (401); an unknown path
 * is 404; and where the unit can list its routes, every one it registered is in the table.
 */
export function routeContract(name: string, start: () => Promise<ContractUnit>): void {
  describe(`route contract: ${name}`, () => {
    let u: ContractUnit;
    const bag = new Map<string, string>();
    before(async () => {
      u = await start();
    });
    after(async () => {
      await u?.close();
    });

    test('every route of the table answers as the table says, or is declared missing (and is: 404)', async () => {
      const keys = Object.keys(Routes) as RouteKey[];
      assert.deepEqual(Object.keys(PROBES).sort(), [...keys].sort(), 'a probe for every route');
      for (const key of Object.keys(u.missing)) assert.ok(key in Routes, `${name} declares a route the table does not have: ${key}`);
      for (const key of keys) {
        const r: AnyRoute = Routes[key];
        const probe = PROBES[key](bag, u);
        const missing = u.missing[key];
        if (missing) {
          assert.ok(missing.length > 10, `${name}: ${key} is declared missing without a reason`);
          const args = probe.args ?? {};
          const path = routePath(r, { ...args, params: Object.fromEntries(Object.keys(r.params?.properties ?? {}).map((p) => [p, 'x'])) as never });
          assertRefusal(r, await call(u.base, r, args, u.owner, path), 404, `is declared missing in ${name} ("${missing}")`);
          continue;
        }
        if (key === 'pair') await u.openPairing?.();
        const a = await call(u.base, r, probe.args ?? {}, key === 'pair' ? (typeof u.roles === 'string' ? u.owner : u.roles.support) : u.owner);
        if (probe.refusal && !(a.status >= 200 && a.status < 300)) assertRefusal(r, a, probe.refusal, 'has nothing to act on');
        else assertConforms(r, a, u.hostileBodies);
        remember(key, a, bag);
      }
    });

    test('routes that need a role refuse a lower one (403) and an unpaired key (401)', async (t) => {
      if (typeof u.roles === 'string') return t.diagnostic(`${name} does not check roles: ${u.roles}`);
      const { support, stranger } = u.roles;
      for (const r of ROUTE_LIST) {
        if (r.access === 'public' || u.missing[(Object.keys(Routes) as RouteKey[]).find((k) => Routes[k] === r)!]) continue;
        const args = PROBES[(Object.keys(Routes) as RouteKey[]).find((k) => Routes[k] === r)!](bag, u).args ?? {};
        const path = routePath(r, { ...args, params: Object.fromEntries(Object.keys(r.params?.properties ?? {}).map((p) => [p, bag.get('session') ?? 'x'])) as never });
        if (r.access !== 'cert') assertRefusal(r, await call(u.base, r, args, stranger, path), 401, 'with a key that is not paired');
        if (r.access === 'cert' || rolesAllowed(r).includes('support')) continue;
        assertRefusal(r, await call(u.base, r, args, support, path), 403, `as support (needs ${r.access})`);
      }
    });

    test('an unknown route is 404 in the API error shape', async () => {
      const r = { ...Routes.status, path: `${API_PREFIX}/no-such-route` } as AnyRoute;
      assertRefusal(r, await call(u.base, r, {}, u.owner), 404, 'is not a route');
    });

    test('every route the unit registered is in the table', async (t) => {
      if (!u.registered) return t.diagnostic(`${name} cannot list its routes (not a Fastify server)`);
      const registered = await u.registered();
      const declared = new Set(ROUTE_LIST.flatMap((r) => [routeName(r), ...(r.method === 'GET' ? [`HEAD ${r.path}`] : [])]));
      for (const entry of registered) {
        if (declared.has(entry)) continue;
        const [method, url] = entry.split(' ') as [string, string];
        assert.ok(METHOD_CHECKED_PATHS.includes(url) && method !== 'GET' && method !== 'HEAD', `${entry} is registered but not in the route table`);
        const r = { ...Routes.info, method, path: url } as AnyRoute;
        assertRefusal(r, await call(u.base, r, {}, u.owner), 405, 'answers the methods it does not serve with 405');
      }
      // A route the unit declares missing (the recovery routes on a running unit) is not registered.
      for (const key of Object.keys(Routes) as RouteKey[]) {
        const r: AnyRoute = Routes[key];
        if (!u.missing[key]) assert.ok(registered.includes(routeName(r)), `${routeName(r)} is in the table but the unit did not register it`);
      }
    });
  });
}
