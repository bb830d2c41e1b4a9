import { createPublicKey, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import {
  birthCertificate,
  UnitHubRecord,
  UnitPublicKey,
  validator,
  registrationRecordMessage,
  type BirthCertificate,
  type RegistrationRequest,
  type Role,
  type UnitHubRecord as UnitHubRecordT,
  type UnitHubRegistration,
  type UnitRegistrationAsk,
  type UnitRegistrationDelivery,
} from '@pitwall/protocol';
import { publicKeyBase64, signRegistrationRequest } from '@pitwall/protocol/node';
import type { Logger } from '../ops/logger.js';
import type { AuditLog } from './audit-log.js';
import { writeFileAtomic } from './atomic-file.js';
import { identityPaths, type UnitIdentity } from './unit-identity.js';
import { fingerprintOf } from './unit-key.js';

/** A refusal of the hub registration routes, with its HTTP status and code; nothing was kept. */
export class HubRegistrationError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const KEEP = 8;

/** identity/hub-registrations.json; `awaiting`: base64 SPKI of the hubs signed for without a record yet, newest first. */
const KeptFile = Type.Object(
  { records: Type.Array(UnitHubRecord, { maxItems: KEEP }), awaiting: Type.Array(UnitPublicKey, { maxItems: KEEP }) },
  { additionalProperties: false },
);
type Kept = Static<typeof KeptFile>;
const keptFile = validator('HubRegistrationsFile', KeptFile);

export interface HubRegistrationsDeps {
  dataDir: string;
  identity: UnitIdentity;
  audit: AuditLog;
  log: Logger;
  now?: () => number;
}

type By = { fingerprint: string; role: Role };

const fingerprintOfSpki = (b64: string): string => fingerprintOf(createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' }));

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return undefined;
  }
}

/**
 * The unit's side of hub registration. It signs a request for a hub's challenge with its
 * identity key (the key never leaves the unit; the companion only carries the request), and
 * keeps a hub's signed record only when that hub is one it signed for, the signature checks out
 * against the hub's key, and the record names this unit and this key: a companion or a hostile
 * hub cannot make the unit claim another hub, another id or another key.
 */
export class HubRegistrations {
  private kept: Kept = { records: [], awaiting: [] };
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: HubRegistrationsDeps) {}

  private get files() {
    return identityPaths(this.d.dataDir);
  }

  /** Reads what an earlier boot kept; a file that does not parse is reported and read as empty. */
  async load(): Promise<this> {
    const kept = await readJson(this.files.hubRegistrations);
    if (kept !== null) {
      if (keptFile.is(kept)) this.kept = kept;
      else this.d.log.warn(`hub registrations: ${this.files.hubRegistrations} does not parse; starting without records`);
    }
    return this;
  }

  private publicKey(): string | null {
    return this.d.identity.key ? publicKeyBase64(this.d.identity.key) : null;
  }

  /**
   * The birth certificate in the identity folder, read when needed (the factory step may put it
   * there while the unit runs); one for another unit or key (an identity reset) is not used.
   */
  private async birthCertificate(): Promise<BirthCertificate | null> {
    const cert = await readJson(this.files.birthCertificate);
    if (cert === null) return null;
    if (!birthCertificate.is(cert)) {
      this.d.log.warn(`hub registrations: ${this.files.birthCertificate} is not a birth certificate; registering without one`);
      return null;
    }
    if (cert.unitId !== this.d.identity.id || cert.publicKey !== this.publicKey()) {
      this.d.log.warn('hub registrations: the birth certificate names another unit or key (an identity reset?); registering without one');
      return null;
    }
    return cert;
  }

  async view(): Promise<UnitHubRegistration> {
    return { records: this.kept.records, awaiting: this.kept.awaiting.map(fingerprintOfSpki), birthCertificate: await this.birthCertificate() };
  }

  /** Signs a registration request for the hub's challenge; the hub's key joins the awaited ones. */
  async sign(ask: UnitRegistrationAsk, by: By): Promise<RegistrationRequest> {
    const key = this.d.identity.key;
    if (!key) throw new HubRegistrationError(409, 'identity-broken', 'the unit has no working identity key, so it cannot sign a registration request (see its identity state)');
    hubKeyObject(ask.hubPublicKey);
    const cert = await this.birthCertificate();
    const req = signRegistrationRequest(key, { unitId: this.d.identity.id, model: this.d.identity.model }, ask, ask.claimCode, cert ?? undefined);
    await this.save((k) => [{ ...k, awaiting: [ask.hubPublicKey, ...k.awaiting.filter((h) => h !== ask.hubPublicKey)].slice(0, KEEP) }, null]);
    await this.audit('ok', by, `signed a registration request for hub ${fingerprintOfSpki(ask.hubPublicKey)}${ask.claimCode ? ' with a claim code' : ''}${cert ? ' (birth certificate attached)' : ''}`);
    return req;
  }

  /** Keeps a hub's signed record of this unit, or refuses it (and audits the refusal). */
  async store(delivery: UnitRegistrationDelivery, by: By): Promise<UnitHubRegistration> {
    try {
      const record = await this.save((k) => {
        const r = this.check(k, delivery);
        return [{ records: [r, ...k.records.filter((x) => x.hubPublicKey !== delivery.hubPublicKey)].slice(0, KEEP), awaiting: k.awaiting.filter((h) => h !== delivery.hubPublicKey) }, r];
      });
      const owner = record.record.owner ? `owner ${record.record.owner.name} (${record.record.owner.id})` : 'no owner yet';
      await this.audit('ok', by, `kept the registration record of hub ${record.hubKey}: ${owner}`);
      return await this.view();
    } catch (err) {
      if (err instanceof HubRegistrationError) await this.audit('refused', by, `refused a hub registration record (${err.code}): ${err.message}`);
      throw err;
    }
  }

  private check(kept: Kept, delivery: UnitRegistrationDelivery): UnitHubRecordT {
    const { answer, hubPublicKey } = delivery;
    const hubKey = hubKeyObject(hubPublicKey);
    if (fingerprintOf(hubKey) !== answer.hubKey) throw new HubRegistrationError(400, 'bad-record', `the record names hub key ${answer.hubKey}, not the key it came with`);
    if (!kept.awaiting.includes(hubPublicKey) && !kept.records.some((r) => r.hubPublicKey === hubPublicKey)) {
      throw new HubRegistrationError(409, 'hub-not-asked', `this unit never signed a registration request for hub ${answer.hubKey}; its record was not kept`);
    }
    if (!verify(null, registrationRecordMessage(answer.record), hubKey, Buffer.from(answer.signature, 'base64'))) {
      throw new HubRegistrationError(400, 'bad-signature', `the record is not signed by hub ${answer.hubKey}; it was not kept`);
    }
    if (answer.record.unitId !== this.d.identity.id || answer.record.publicKey !== this.publicKey()) {
      throw new HubRegistrationError(409, 'not-this-unit', `the record is for unit ${answer.record.unitId} with key ${answer.record.fingerprint}, not for this unit (${this.d.identity.id}, ${this.d.identity.fingerprint ?? 'no key'}); it was not kept`);
    }
    return { hubKey: answer.hubKey, hubPublicKey, record: answer.record, signature: answer.signature, receivedAt: new Date(this.d.now?.() ?? Date.now()).toISOString() };
  }

  /** One change at a time: `update` sees what the change before it left (and may throw: nothing is written). */
  private save<T>(update: (kept: Kept) => [Kept, T]): Promise<T> {
    const run = this.writes.then(async () => {
      const [next, value] = update(this.kept);
      await writeFileAtomic(this.files.hubRegistrations, JSON.stringify(next), 0o600);
      this.kept = next;
      return value;
    });
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async audit(outcome: 'ok' | 'refused', by: By, detail: string): Promise<void> {
    await this.d.audit.write({ event: 'identity', outcome, operatorFingerprint: by.fingerprint, role: by.role, via: 'network', detail: detail.slice(0, 500) });
  }
}

function hubKeyObject(b64: string) {
  try {
    const key = createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch {
    // refused below
  }
  throw new HubRegistrationError(400, 'bad-hub-key', "hubPublicKey is not an Ed25519 public key (base64 of its DER SubjectPublicKeyInfo, as the hub's GET /hub/v1/key gives it)");
}
