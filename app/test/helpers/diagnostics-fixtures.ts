import { openDatabase } from '../../src/store/database.js';
import { PinRepo } from '../../src/store/pin-repo.js';
import { createCompanion, type Companion } from '../../src/companion.js';
import type { FakeDiagnosticsUnit } from '../../../testbed/fake-diagnostics-unit.js';
import type { EventName, EventPayload } from '@pitwall/protocol';

/** A companion on `dataDir` (no mDNS, no serial), recording its events. */
export function diagCompanion(dataDir: string, events: { event: EventName; payload: unknown }[] = []): Companion {
  return createCompanion({
    dataDir,
    mdns: false,
    serial: false,
    hotplug: false,
    pollIntervalMs: 300,
    events: <E extends EventName>(event: E, payload: EventPayload<E>) => void events.push({ event, payload }),
    operatorName: 'diag-test',
    log: process.env.PITWALL_TEST_DEBUG ? (m) => process.stderr.write(`companion: ${m}\n`) : undefined,
  });
}

/**
 * A companion on `dataDir` that knows `units` by address with their keys pinned, as pairing
 * would leave it (the fake units accept any client certificate, so no pairing exchange is
 * needed): a first companion adds the addresses, the pins are written to its store, and a
 * second one starts on the same store and waits until every unit is online.
 */
export async function pairedCompanion(dataDir: string, units: FakeDiagnosticsUnit[], events: { event: EventName; payload: unknown }[] = []): Promise<Companion> {
  await pinUnits(dataDir, units);
  return onlineCompanion(dataDir, units, events);
}

/** Adds `units` by address to the store in `dataDir` and pins their keys (no companion left running). */
export async function pinUnits(dataDir: string, units: FakeDiagnosticsUnit[]): Promise<void> {
  const first = diagCompanion(dataDir);
  for (const u of units) await first.handlers['devices:add-address']({ address: u.target });
  await first.close();
  for (const u of units) pinDirectly(dataDir, u);
}

/** A companion on an existing store, once every unit of `units` is online and paired. */
export async function onlineCompanion(dataDir: string, units: { id: string }[], events: { event: EventName; payload: unknown }[] = []): Promise<Companion> {
  const companion = diagCompanion(dataDir, events);
  const deadline = Date.now() + 10_000;
  for (;;) {
    await companion.refresh();
    const list = companion.list();
    if (units.every((u) => list.some((e) => e.id === u.id && e.online && e.pairing.state === 'paired'))) return companion;
    if (Date.now() > deadline) throw new Error(`units not online and paired: ${JSON.stringify(list.map((e) => [e.name, e.online, e.pairing.state]))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function pinDirectly(dataDir: string, unit: FakeDiagnosticsUnit): void {
  const db = openDatabase(dataDir);
  try {
    new PinRepo(db).save({ unitId: unit.id, fingerprint: unit.fingerprint, certificate: unit.certificate, role: 'owner', via: 'net', pairedAt: Date.now() });
  } finally {
    db.close();
  }
}
