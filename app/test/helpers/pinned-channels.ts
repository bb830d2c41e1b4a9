import type { FakeDiagnosticsUnit } from '../../../testbed/fake-diagnostics-unit.js';
import { DeviceRegistry } from '../../src/discovery/device-registry.js';
import { OperatorKeyring } from '../../src/identity/operator-key.js';
import { MemorySecretStore } from '../../src/identity/secret-store.js';
import { UnitChannels } from '../../src/trust/unit-channel.js';

/** The companion's trust layer alone (no store, no discovery), with `unit` pinned and online at its address, as pairing leaves it. */
export function pinnedChannels(unit: FakeDiagnosticsUnit): { registry: DeviceRegistry; channels: UnitChannels; close(): void } {
  const registry = new DeviceRegistry(null);
  registry.setPin(unit.id, { unitId: unit.id, fingerprint: unit.fingerprint, certificate: unit.certificate, role: 'owner', via: 'net', pairedAt: Date.now() });
  registry.linkUp({ id: unit.id, name: 'Pinned', model: 'PW-1', firmware: '0.4.0', commit: null, fingerprint: unit.fingerprint, verified: true }, 'address', unit.target);
  const channels = new UnitChannels(registry, new OperatorKeyring(new MemorySecretStore(), 'test-operator'));
  return {
    registry,
    channels,
    close: () => {
      channels.close();
      registry.close();
    },
  };
}
