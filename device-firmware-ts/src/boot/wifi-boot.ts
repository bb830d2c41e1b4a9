import { join } from 'node:path';
import type { UnitConfig } from '@pitwall/protocol';
import type { Gpio } from '../hal/gpio.js';
import { NM_OUTBOX, openNetworkManager, unmanagedNetworkManager } from '../hal/nm/index.js';
import type { AuditLog } from '../identity/audit-log.js';
import type { UnitLogger } from '../ops/unit-logger.js';
import { startWifiService, type WifiService } from '../ops/network/wifi-service.js';

export interface WifiBootOptions {
  config: UnitConfig;
  kind: 'sim' | 'real';
  gpio: Gpio;
  audit: AuditLog;
  logger: UnitLogger;
  unitName: string;
}

/**
 * Wi-Fi at boot: NetworkManager through nmcli (a sim may name a stand-in), the hotspot latch read
 * once, and the mode it asks for applied. A unit without NetworkManager still boots: the API
 * then answers that Wi-Fi cannot be managed.
 */
export async function startWifi(o: WifiBootOptions): Promise<WifiService> {
  const n = o.config.network;
  const { dataDir } = o.config;
  const nmcli = n.nmcli ?? (o.kind === 'real' ? 'nmcli' : null);
  // A sim never drives the NetworkManager of the machine it runs on unless told to.
  // A unit's runtime cannot write NetworkManager's root-owned folder: without a connectionsDir of
  // its own it hands keyfiles over from an outbox through systemd (docs/unit-image.md).
  const viaSystemd = o.kind === 'real' && n.connectionsDir === undefined;
  const connectionsDir = n.connectionsDir ?? join(dataDir, o.kind === 'sim' ? 'nm-connections' : NM_OUTBOX);
  const nm =
    nmcli === null
      ? unmanagedNetworkManager('this sim unit manages no Wi-Fi (set network.nmcli in its configuration to a stand-in nmcli)')
      : await openNetworkManager({ nmcli, ifname: n.ifname, connectionsDir, viaSystemd, timeoutMs: n.timeoutS * 1000 });
  const latchAtBoot = o.gpio.readSwitch('hotspot');
  let first = true;
  return startWifiService({
    nm,
    audit: o.audit,
    log: o.logger.for('net'),
    label: { ssid: n.hotspotSsid ?? o.unitName.replace(/[^\x20-\x7e]/g, '-').slice(0, 32), pskFile: n.hotspotPskFile ?? join(dataDir, 'wifi', 'hotspot-psk') },
    // The service reads the latch once for its boot decision (this value), then to report it.
    readLatch: () => {
      if (!first) return o.gpio.readSwitch('hotspot');
      first = false;
      return latchAtBoot;
    },
    addSecret: (s) => o.logger.redactor.addSecret(s),
    connectTimeoutMs: n.connectTimeoutS * 1000,
  });
}
