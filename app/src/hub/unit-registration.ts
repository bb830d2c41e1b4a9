import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { CompanionError, HubKeyInfo, Routes, SignedRegistration, validator, type RegistrationRecord, type RegistrationRequest, type SignedRegistration as SignedRegistrationT, type UnitHubRegistration } from '@pitwall/protocol';
import { HubCallError, RegistrationOutbox, verifySignedRegistration, writeFileAtomic, type ForwardResult, type HubClient } from '@pitwall/protocol/node';
import type { UnitChannels } from '../trust/unit-channel.js';
import { HubPins } from './hub-pins.js';

/** How the companion reaches a paired unit (the companion's UnitChannels). */
export type UnitCaller = Pick<UnitChannels, 'callRoute'>;

/** A hub's checked answer, kept by the companion until the unit has it (`delivered`). */
const KeptRecord = Type.Object({ hubUrl: Type.String(), hubKey: HubKeyInfo, answer: SignedRegistration, delivered: Type.Boolean() }, { additionalProperties: false });
const keptRecord = validator('KeptHubRecord', KeptRecord);

export interface RegistrationOutcome {
  record: RegistrationRecord;
  /** What the unit holds after the record reached it; null while it has not (store and forward). */
  unit: UnitHubRegistration | null;
}

/**
 * The companion's side of registering units with a hub. The unit signs (its key never leaves
 * it); the companion carries the request to the hub and the hub's answer back, checking the
 * answer against the hub key it pinned and the unit and key it asked for, so a hostile hub
 * cannot hand the unit a record for another id or key. Live: all in one go. Store and forward
 * (a unit at the track, no internet): a forward challenge fetched earlier while online, the
 * signed request kept in the outbox until `forward`, the record brought to the unit by `deliver`.
 */
export class HubRegistrar {
  readonly pins: HubPins;
  private readonly recordsDir: string;

  constructor(
    dataDir: string,
    private readonly unit: UnitCaller,
  ) {
    this.pins = new HubPins(dataDir);
    this.recordsDir = join(this.pins.dir, 'records');
  }

  /**
   * The outbox of one hub: a request is good only at the hub whose challenge it carries, so each
   * hub has its own folder and `forward` never sends one hub's requests to another.
   */
  outboxFor(hubUrl: string): RegistrationOutbox {
    return new RegistrationOutbox(join(this.pins.dir, 'registration-outbox', createHash('sha256').update(hubUrl).digest('hex').slice(0, 32)));
  }

  /** Online, before a track day: pins the hub and takes `count` forward challenges (a member's token). */
  async fetchChallenges(hub: HubClient, count: number): Promise<{ hubKey: string; held: number }> {
    const key = await this.pins.pin(hub);
    const fresh = [];
    for (let i = 0; i < count; i++) fresh.push(await hub.challenge('forward'));
    return { hubKey: key.fingerprint, held: await this.pins.addChallenges(hub.baseUrl, fresh) };
  }

  /** The hub reachable now: challenge, the unit signs, the hub registers, the record goes to the unit. */
  async registerLive(hub: HubClient, unitId: string, claimCode?: string): Promise<RegistrationOutcome> {
    const key = await this.pins.pin(hub);
    const request = await this.sign(unitId, await hub.challenge('live'), key.publicKey, claimCode);
    const answer = await hub.register(request);
    const record = this.check(answer, key.publicKey, request);
    await this.keep(unitId, { hubUrl: hub.baseUrl, hubKey: key, answer, delivered: false });
    return { record, unit: await this.deliver(unitId) };
  }

  /** Offline: the unit signs for a forward challenge taken earlier; the request waits in the outbox. */
  async signForForward(hubUrl: string, unitId: string, claimCode?: string): Promise<RegistrationRequest> {
    const { hub, challenge } = await this.pins.takeChallenge(hubUrl);
    const request = await this.sign(unitId, challenge, hub.key.publicKey, claimCode);
    await this.outboxFor(hubUrl).put(request);
    return request;
  }

  /** Online again: sends the outbox's requests; each answer is checked, then kept for its unit. */
  async forward(hub: HubClient): Promise<ForwardResult[]> {
    const outbox = this.outboxFor(hub.baseUrl);
    let key;
    try {
      key = await this.pins.pin(hub);
    } catch (err) {
      // Out of reach (the usual case at the track): everything waits for the next try.
      if (!(err instanceof HubCallError) || err.final) throw err;
      return (await outbox.pending()).map((r) => ({ unitId: r.unitId, outcome: 'kept' as const, reason: err.message }));
    }
    const results = await outbox.forward(hub, (answer, request) => this.check(answer, key.publicKey, request));
    for (const r of results.filter((x) => x.outcome === 'registered')) {
      const answer = (await outbox.answerFor(r.unitId))!;
      await this.keep(r.unitId, { hubUrl: hub.baseUrl, hubKey: key, answer, delivered: false });
      await outbox.removeAnswer(r.unitId);
    }
    return results;
  }

  /** Whether a record waits for this unit (it was registered while the unit was away). */
  async undelivered(unitId: string): Promise<boolean> {
    return (await this.kept(unitId))?.delivered === false;
  }

  /** Brings the kept record to the unit (at the next contact); null when none waits. */
  async deliver(unitId: string): Promise<UnitHubRegistration | null> {
    const kept = await this.kept(unitId);
    if (!kept || kept.delivered) return null;
    const view = await this.unit.callRoute(unitId, Routes.hubRegistrationStore, { body: { answer: kept.answer, hubPublicKey: kept.hubKey.publicKey } });
    await this.keep(unitId, { ...kept, delivered: true });
    return view;
  }

  /** What the unit says it holds (for "registered with hub X, owner Y"). */
  unitView(unitId: string): Promise<UnitHubRegistration> {
    return this.unit.callRoute(unitId, Routes.hubRegistration, {});
  }

  /** What this companion knows of a unit's registration: the hub's record it carried, and whether the unit has it. */
  async known(unitId: string): Promise<{ hubUrl: string; hubKey: string; record: RegistrationRecord; delivered: boolean } | null> {
    const k = await this.kept(unitId);
    return k && { hubUrl: k.hubUrl, hubKey: k.hubKey.fingerprint, record: k.answer.record, delivered: k.delivered };
  }

  private async sign(unitId: string, challenge: { challengeId: string; nonce: string }, hubPublicKey: string, claimCode?: string): Promise<RegistrationRequest> {
    const body = { challengeId: challenge.challengeId, nonce: challenge.nonce, hubPublicKey, ...(claimCode === undefined ? {} : { claimCode }) };
    const request = await this.unit.callRoute(unitId, Routes.hubRegistrationRequest, { body });
    if (request.unitId !== unitId || request.challengeId !== challenge.challengeId || request.nonce !== challenge.nonce || request.claimCode !== claimCode) {
      throw new CompanionError('conflict', `unit ${unitId} answered a request for another unit or challenge (${request.unitId}); nothing was sent to the hub`);
    }
    return request;
  }

  /** The hub's answer, checked against the pinned hub key and the unit and key of the request; else refused. */
  private check(answer: SignedRegistrationT, hubPublicKey: string, request: RegistrationRequest): RegistrationRecord {
    try {
      return verifySignedRegistration(answer, hubPublicKey, { unitId: request.unitId, publicKey: request.publicKey });
    } catch (err) {
      throw new CompanionError('conflict', `the hub's answer was refused: ${(err as Error).message}`);
    }
  }

  private file(unitId: string): string {
    if (!/^[0-9a-f-]{36}$/.test(unitId)) throw new CompanionError('invalid-params', `not a unit id: ${unitId.slice(0, 40)}`);
    return join(this.recordsDir, `${unitId}.json`);
  }

  private async kept(unitId: string) {
    try {
      return keptRecord.parse(JSON.parse(await readFile(this.file(unitId), 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private async keep(unitId: string, k: typeof KeptRecord.static): Promise<void> {
    await mkdir(this.recordsDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file(unitId), JSON.stringify(k));
  }
}
