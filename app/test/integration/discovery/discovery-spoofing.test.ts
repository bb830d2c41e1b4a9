import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Routes } from '@pitwall/protocol';
import { makeBoot, startFakeDiagnosticsUnit, type FakeDiagnosticsUnit } from '../../../../testbed/fake-diagnostics-unit.js';
import { DeviceRegistry } from '../../../src/discovery/device-registry.js';
import { OperatorKeyring } from '../../../src/identity/operator-key.js';
import { MemorySecretStore } from '../../../src/identity/secret-store.js';
import { UnitChannels } from '../../../src/trust/unit-channel.js';
import { pairedCompanion } from '../../helpers/diagnostics-fixtures.js';
import { scratchDir } from '../../helpers/units.js';

/**
 * Trust: a rogue unit advertising another unit's id -> not trusted until it proves the pinned
 * key with a fresh nonce; it renames nothing and does not break the calls to the real unit.
 */
const scratch = scratchDir('spoofing');
const units: FakeDiagnosticsUnit[] = [];
after(async () => {
  for (const u of units) await u.close();
  scratch.cleanup();
});

async function realAndRogue(): Promise<{ real: FakeDiagnosticsUnit; rogue: FakeDiagnosticsUnit }> {
  const real = await startFakeDiagnosticsUnit({ name: 'Car 7' });
  const rogue = await startFakeDiagnosticsUnit({ id: real.id, name: 'Rogue' });
  units.push(real, rogue);
  real.boots.push(makeBoot(real.id, 20));
  return { real, rogue };
}

test("a rogue at another address with a paired unit's id renames nothing, and pulls still go to the real unit", async () => {
  const { real, rogue } = await realAndRogue();
  const companion = await pairedCompanion(join(scratch.dir, 'rename'), [real]);
  try {
    const entry = await companion.handlers['devices:add-address']({ address: rogue.target });
    assert.equal(entry.name, 'Car 7', 'the name stays the one the pinned key vouched for');
    assert.equal(entry.pairing.state, 'conflict');
    assert.equal(entry.pairing.seenFingerprint, rogue.fingerprint);
    // Asked for by id: a unit in conflict is left out of pulls of "all units" until the user looks.
    const [pull] = await companion.handlers['sync:diagnostics']({ ids: [real.id] });
    assert.ok(pull!.ok, pull!.error ?? '');
    assert.equal(pull!.logs, 20);
    assert.ok(!rogue.requests.some((r) => r.startsWith('GET /v1/logs')), `nothing asked of the rogue: ${rogue.requests.join(', ')}`);
  } finally {
    await companion.close();
  }
});

test('a fresh advert claiming the pinned key is tried, refused by the TLS pin check, and the next link carries the call', async () => {
  const { real, rogue } = await realAndRogue();
  const registry = new DeviceRegistry(null);
  registry.setPin(real.id, { unitId: real.id, fingerprint: real.fingerprint, certificate: real.certificate, role: 'owner', via: 'net', pairedAt: Date.now() });
  const channels = new UnitChannels(registry, new OperatorKeyring(new MemorySecretStore(), 'spoof-test'));
  try {
    const claim = (name: string, target: string, kind: 'address' | 'mdns', at: number) =>
      registry.linkUp({ id: real.id, name, model: 'PW-1', firmware: '0.4.0', commit: null, fingerprint: real.fingerprint, verified: false }, kind, target, at);
    claim('Car 7', real.target, 'address', Date.now() - 1000);
    // The rogue's advert: the unit's id, a copy of its TXT fingerprint, another name; heard last.
    claim('Rogue', rogue.target, 'mdns', Date.now());
    assert.equal(registry.get(real.id)!.name, 'Car 7', 'a claim renames nothing');
    assert.equal(registry.trustedTargets(real.id)[0], rogue.target, 'the rogue is heard last, so tried first');

    const boots = await channels.callRoute(real.id, Routes.logBoots);
    assert.equal(boots.boots.length, 1, 'answered by the real unit, through its other link');
    assert.equal(await channels.provenTarget(real.id), real.target);
    assert.deepEqual(registry.trustedTargets(real.id), [real.target], 'the link that showed another key is not used again');
    assert.equal(registry.pairing(real.id).state, 'conflict');
    assert.equal(registry.get(real.id)!.name, 'Car 7');
  } finally {
    channels.close();
    registry.close();
  }
});
