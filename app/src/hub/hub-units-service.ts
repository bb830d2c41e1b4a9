import { CompanionError, type DeviceEntry, type HubRegisterOutcome, type HubUnitRegistration, type HubUnitsStatus, type MethodParams } from '@pitwall/protocol';
import { HubClient } from '@pitwall/protocol/node';
import { hubKeyOf, keyChangedSentence } from './hub-link.js';
import type { HubLinkRow } from './hub-state.js';
import { outOfReach, refusalSentence, registrationError } from './registration-refusal.js';
import { HubRegistrar, type UnitCaller } from './unit-registration.js';

export interface HubUnitsServiceOptions {
  /** The companion's data dir (the registrar keeps its pins, outbox and records under `hub/`); null: registration is not available. */
  dataDir: string | null;
  unit: UnitCaller;
  devices: () => DeviceEntry[];
  /** The connected hub (its key pinned by `hub:connect`) and the member token. */
  link: () => Promise<{ link: HubLinkRow | null; token: string | null }>;
  /** Called with the fingerprint of another key than the pinned one the hub showed. */
  keyPresented?: (fingerprint: string) => void;
  timeoutMs?: number;
  now?: () => number;
}

/**
 * The Hub screen's "Units on this hub": the companion's HubRegistrar (the same core as
 * `pitwall hub register|forward|challenges`) driven against the connected hub. Every hub call
 * first checks that the hub still shows the key pinned at connect; each refusal is a sentence.
 */
export function createHubUnitsService(o: HubUnitsServiceOptions) {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const now = o.now ?? Date.now;
  const registrar = o.dataDir === null ? null : new HubRegistrar(o.dataDir, o.unit);
  /** The last refusal per unit (this run of the companion). */
  const refusals = new Map<string, string>();
  // The registrar's files (pins with their challenges, outbox, records) are read, changed and
  // written whole: one change at a time, or two presses at once lose challenges or spend one twice.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work);
    turn = run.catch(() => undefined);
    return run;
  };

  const connected = async (): Promise<{ link: HubLinkRow; token: string | null; registrar: HubRegistrar }> => {
    if (!registrar) throw new CompanionError('internal', 'This companion runs without a data folder: units cannot be registered from it.');
    const { link, token } = await o.link();
    if (!link) throw new CompanionError('not-found', 'No hub is connected: connect to the academy’s hub first.');
    return { link, token, registrar };
  };

  /** The hub as it answers now, refused unless it shows the key pinned at connect (nothing is sent to another). */
  const checkedClient = async (link: HubLinkRow, token: string | null): Promise<HubClient> => {
    const key = await hubKeyOf(new HubClient(link.url, { timeoutMs }));
    if (key.publicKey !== link.publicKey) {
      o.keyPresented?.(key.fingerprint);
      throw new CompanionError('key-changed', keyChangedSentence(link.url, link, key.fingerprint));
    }
    const pinned = await registrar!.pins.get(link.url);
    if (pinned && pinned.key.publicKey !== link.publicKey) throw new CompanionError('key-changed', keyChangedSentence(link.url, { fingerprint: pinned.key.fingerprint, pinnedAt: link.pinnedAt }, key.fingerprint));
    return new HubClient(link.url, { timeoutMs, ...(token ? { token } : {}) });
  };

  const held = async (url: string): Promise<number> => ((await registrar?.pins.get(url))?.challenges ?? []).filter((c) => Date.parse(c.expiresAt) > now()).length;

  const status = async (): Promise<HubUnitsStatus> => {
    const { link } = await o.link();
    if (!registrar || !link) return { hubUrl: link?.url ?? null, hubKey: link?.fingerprint ?? null, challengesHeld: 0, units: [] };
    const waiting = new Set((await registrar.outboxFor(link.url).pending()).map((r) => r.unitId));
    const units: HubUnitRegistration[] = [];
    for (const d of o.devices()) {
      const known = await registrar.known(d.id);
      const here = known && known.hubUrl === link.url && known.hubKey === link.fingerprint ? known : null;
      const state = here ? (here.delivered ? 'registered' : 'record-waiting') : waiting.has(d.id) ? 'waiting-forward' : 'not-registered';
      units.push({
        unitId: d.id,
        name: d.name,
        online: d.online,
        paired: d.pairing.state === 'paired',
        state,
        owner: here?.record.owner?.name ?? null,
        registeredAt: here?.record.registeredAt ?? null,
        refusal: refusals.get(d.id) ?? null,
      });
    }
    return { hubUrl: link.url, hubKey: link.fingerprint, challengesHeld: await held(link.url), units };
  };

  const reachable = (unitId: string): DeviceEntry => {
    const d = o.devices().find((x) => x.id === unitId);
    if (!d) throw new CompanionError('not-found', `No unit ${unitId} is known to this companion.`);
    if (d.pairing.state !== 'paired') throw new CompanionError('not-paired', `${d.name} is not paired with this companion: pair it first (as its owner or dealer).`);
    if (!d.online) throw new CompanionError('unreachable', `${d.name} is not online: it signs its own request, so connect it first.`);
    return d;
  };

  const register = async ({ unitId, claimCode }: MethodParams<'hub:register-unit'>): Promise<HubRegisterOutcome> => {
    const { link, token, registrar: r } = await connected();
    const unit = reachable(unitId);
    const done = async (outcome: HubRegisterOutcome['outcome'], sentence: string) => (refusals.delete(unitId), { outcome, sentence, units: await status() });
    try {
      if (await r.undelivered(unitId)) {
        await r.deliver(unitId);
        return await done('delivered', `${unit.name} now holds the hub’s record.`);
      }
      let client: HubClient | null = null;
      try {
        client = await checkedClient(link, token);
      } catch (err) {
        if (!outOfReach(err)) throw err;
      }
      if (client) {
        const got = await r.registerLive(client, unitId, claimCode);
        const owner = got.record.owner ? `owner ${got.record.owner.name}` : 'no owner organisation yet';
        return await done('registered', `${unit.name} is registered with the hub (${owner}) and holds its record.`);
      }
      if ((await held(link.url)) === 0) {
        throw new CompanionError('unreachable', `The hub at ${link.url} cannot be reached and this companion holds no forward challenge: while online, fetch challenges for the track day, then ${unit.name} can be registered here without the hub.`);
      }
      await r.signForForward(link.url, unitId, claimCode);
      return await done('queued', `The hub cannot be reached: ${unit.name} signed its request, which waits here and goes when the hub is reachable.`);
    } catch (err) {
      const e = registrationError(link.url, err);
      refusals.set(unitId, e.message);
      throw e;
    }
  };

  const fetchChallenges = async ({ count }: MethodParams<'hub:fetch-challenges'>): Promise<HubUnitsStatus> => {
    const { link, token, registrar: r } = await connected();
    if (!token) throw new CompanionError('forbidden', 'Forward challenges are given to members only: connect with your member token first.');
    try {
      await r.fetchChallenges(await checkedClient(link, token), count);
    } catch (err) {
      throw registrationError(link.url, err);
    }
    return status();
  };

  const forward = async (): Promise<HubUnitsStatus> => {
    const { link, token, registrar: r } = await connected();
    let results;
    try {
      results = await r.forward(await checkedClient(link, token));
    } catch (err) {
      throw registrationError(link.url, err);
    }
    for (const x of results) {
      if (x.outcome === 'refused') refusals.set(x.unitId, refusalSentence(x.reason) ?? `The hub refused the request: ${x.reason ?? 'no reason given'}`.slice(0, 1200));
      if (x.outcome !== 'registered') continue;
      refusals.delete(x.unitId);
      // A unit at hand gets its record now; else at the next Register.
      if (o.devices().some((d) => d.id === x.unitId && d.online && d.pairing.state === 'paired')) await r.deliver(x.unitId).catch(() => undefined);
    }
    return status();
  };

  const handlers = {
    'hub:units': async () => status(),
    'hub:register-unit': (p: MethodParams<'hub:register-unit'>) => inTurn(() => register(p)),
    'hub:fetch-challenges': (p: MethodParams<'hub:fetch-challenges'>) => inTurn(() => fetchChallenges(p)),
    'hub:forward-registrations': () => inTurn(forward),
  };
  return { handlers };
}
