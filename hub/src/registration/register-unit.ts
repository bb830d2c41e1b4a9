import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { registrationRequestMessage, type RegistrationRecord, type RegistrationRequest, type SignedRegistration } from '@pitwall/protocol';
import { birthCertificateProblem, type TrustedKey } from '@pitwall/protocol/node';
import type { HubTables, UnitsTable } from '../db/tables.js';
import { nowIso } from '../db/ids.js';
import { HubRefusal } from '../hub-refusal.js';
import type { HubSigningKey } from '../hub-signing-key.js';
import { describePublicKey } from '../hub-signing-key.js';
import { writeAudit } from '../audit.js';
import { consumeChallenge } from './challenges.js';
import { spendClaimCode } from './claim-codes.js';

export interface RegistrationContext {
  db: Kysely<HubTables>;
  key: HubSigningKey;
  now: () => number;
  /** Where the request came from (the client address), for the audit record of a refusal. */
  source: string;
  /**
   * The vendor keys whose birth certificates vouch for a unit's key. Set: a unit the hub has not
   * seen registers only with a valid certificate (production). Null: the first key to claim an
   * id is taken (development mode, docs/hub.md).
   */
  vendorKeys?: ReadonlyMap<string, TrustedKey> | null;
}

export interface RegistrationAnswer {
  status: 200 | 201;
  answer: SignedRegistration;
}

function unitKey(publicKey: string): KeyObject {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch {
    // refused below
  }
  throw new HubRefusal(400, 'bad-key', 'publicKey is not an Ed25519 public key (base64 of its DER SubjectPublicKeyInfo).');
}

/**
 * Registers a unit from its signed request. The order is the attacker's: first the signature
 * (nothing is read or written for a request its key did not sign), then the challenge is spent
 * (a replay finds it used), then in one transaction the unit is added or found and a claim code
 * spent. A unit id already registered with another key is refused and recorded in the audit
 * table: the key is the unit's identity, a second key for one id is a clone or a stolen id.
 */
export async function registerUnit(ctx: RegistrationContext, req: RegistrationRequest): Promise<RegistrationAnswer> {
  const key = unitKey(req.publicKey);
  const { signature, ...fields } = req;
  if (!verify(null, registrationRequestMessage(fields), key, Buffer.from(signature, 'base64'))) {
    throw new HubRefusal(401, 'bad-signature', 'The request is not signed by the key it names; nothing was registered.');
  }
  const fingerprint = describePublicKey(key).fingerprint;
  const now = ctx.now();
  await consumeChallenge(ctx.db, req.challengeId, req.nonce, now);
  const vouch = vouching(ctx.vendorKeys ?? null, req);
  let result: { status: 200 | 201; unit: Selectable<UnitsTable> };
  try {
    result = await ctx.db.transaction().execute((trx) => addOrFind(trx, req, fingerprint, now, vouch));
  } catch (err) {
    if (err instanceof Unvouched) {
      await writeAudit(ctx.db, now, 'key-unvouched', req.unitId, { presented: fingerprint, model: req.model, why: err.why, source: ctx.source });
      throw new HubRefusal(403, 'key-unvouched', `Unit ${req.unitId} is not registered yet and its key ${fingerprint} is not vouched for by a vendor this hub trusts (${err.why}); refused and reported.`);
    }
    if (err instanceof KeyMismatch) {
      await writeAudit(ctx.db, now, 'key-mismatch', req.unitId, { presented: fingerprint, registered: err.registered, model: req.model, source: ctx.source });
      throw new HubRefusal(
        409,
        'key-mismatch',
        `Unit ${req.unitId} is registered with another key (${err.registered}); this request's key ${fingerprint} was refused and reported.`,
      );
    }
    throw err;
  }
  return { status: result.status, answer: ctx.key.sign(await recordOf(ctx.db, result.unit)) };
}

/** Whether a first registration may take this key: null when vouched (or the hub is in development mode), else why not. */
type Vouching = { ok: true; vendorKeyId: string | null } | { ok: false; why: string };

function vouching(vendorKeys: ReadonlyMap<string, TrustedKey> | null, req: RegistrationRequest): Vouching {
  if (vendorKeys === null) return { ok: true, vendorKeyId: null };
  if (!req.birthCertificate) return { ok: false, why: 'the request carries no birth certificate' };
  const problem = birthCertificateProblem(req.birthCertificate, vendorKeys, req);
  return problem === null ? { ok: true, vendorKeyId: req.birthCertificate.vendorKeyId } : { ok: false, why: `its birth certificate does not vouch for it: ${problem}` };
}

class Unvouched extends Error {
  constructor(readonly why: string) {
    super('key unvouched');
  }
}

class KeyMismatch extends Error {
  constructor(readonly registered: string) {
    super('key mismatch');
  }
}

async function addOrFind(trx: Transaction<HubTables>, req: RegistrationRequest, fingerprint: string, now: number, vouch: Vouching): Promise<{ status: 200 | 201; unit: Selectable<UnitsTable> }> {
  const existing = await trx.selectFrom('units').selectAll().where('unit_id', '=', req.unitId).executeTakeFirst();
  if (existing && existing.public_key !== req.publicKey) throw new KeyMismatch(existing.fingerprint);
  // Only a first registration needs the vendor's word: a known unit already proved its key.
  if (!existing && !vouch.ok) throw new Unvouched(vouch.why);
  if (existing && existing.owner_id !== null && req.claimCode) {
    throw new HubRefusal(409, 'already-claimed', `Unit ${req.unitId} already belongs to an organisation; its claim code was not used.`);
  }
  const claim = req.claimCode ? await spendClaimCode(trx, req.claimCode, req.unitId, now) : null;
  if (existing) {
    if (!claim) return { status: 200, unit: existing };
    await trx.updateTable('units').set({ owner_id: claim.academyId, claimed_by: claim.dealerId }).where('unit_id', '=', req.unitId).execute();
    await writeAudit(trx, now, 'claimed', req.unitId, { academyId: claim.academyId, dealerId: claim.dealerId });
    return { status: 200, unit: { ...existing, owner_id: claim.academyId, claimed_by: claim.dealerId } };
  }
  const unit: Selectable<UnitsTable> = {
    unit_id: req.unitId,
    public_key: req.publicKey,
    fingerprint,
    model: req.model,
    registered_at: nowIso(now),
    owner_id: claim?.academyId ?? null,
    claimed_by: claim?.dealerId ?? null,
  };
  const inserted = await trx.insertInto('units').values(unit).onConflict((oc) => oc.column('unit_id').doNothing()).returning('unit_id').executeTakeFirst();
  if (!inserted) {
    // Another hub process registered this id between our read and our insert.
    throw new HubRefusal(409, 'registration-race', `Unit ${req.unitId} was being registered by another request at the same moment; ask for a new challenge and try again.`);
  }
  const vendor = vouch.ok && vouch.vendorKeyId ? { vendorKeyId: vouch.vendorKeyId } : {};
  await writeAudit(trx, now, 'registered', req.unitId, { fingerprint, model: req.model, ...vendor, ...(claim ? { academyId: claim.academyId, dealerId: claim.dealerId } : {}) });
  return { status: 201, unit };
}

async function recordOf(db: Kysely<HubTables>, unit: Selectable<UnitsTable>): Promise<RegistrationRecord> {
  const owner = unit.owner_id === null ? null : await db.selectFrom('organisations').select(['id', 'name']).where('id', '=', unit.owner_id).executeTakeFirst();
  return {
    unitId: unit.unit_id,
    publicKey: unit.public_key,
    fingerprint: unit.fingerprint,
    model: unit.model,
    registeredAt: unit.registered_at,
    owner: owner ? { id: owner.id, name: owner.name } : null,
  };
}
