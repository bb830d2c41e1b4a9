import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { CompanionError, type BundleSummary, type EventName, type EventPayload, type MethodParams, type MethodResult } from '@pitwall/protocol';
import { BundleSource, pinnedKeySet, readBundleHeadUnverified, verifyBundleStream } from '@pitwall/protocol/node';
import type { FleetUpdates } from './fleet-updates.js';

const DAY_MS = 24 * 3600 * 1000;

export interface UpdatesServiceOptions {
  updates: FleetUpdates;
  /** Vendor public keys this companion knows (`*.pem`), to tell a verified bundle from one that is not. */
  vendorKeysDir: string | null;
  events: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  log: (m: string) => void;
}

const open = (path: string) => new BundleSource(createReadStream(path, { highWaterMark: 1 << 20 }), { deadlineAt: Date.now() + DAY_MS, idleMs: 60_000 });

async function knownKeys(dir: string | null): Promise<string[]> {
  if (!dir) return [];
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(names.filter((n) => n.endsWith('.pem')).sort().map((n) => readFile(join(dir, n), 'utf8')));
}

/** Reads a bundle file's manifest, then verifies it end to end against the known vendor keys. */
export async function inspectBundle(path: string, vendorKeysDir: string | null): Promise<BundleSummary> {
  if (!isAbsolute(path)) throw new CompanionError('invalid-params', `give the bundle's full path (${path} is relative)`);
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) throw new CompanionError('not-found', `no bundle file at ${path}`);
  let head;
  const src = open(path);
  try {
    head = await readBundleHeadUnverified(src);
  } catch (err) {
    throw new CompanionError('invalid-params', `${path} is not an update bundle: ${(err as Error).message}`);
  } finally {
    src.close();
  }
  const m = head.manifest;
  const summary: BundleSummary = {
    path,
    sizeB: st.size,
    runtimeVersion: m.runtimeVersion,
    models: m.compatibleModels,
    minReplaceVersion: m.minReplaceVersion,
    buildTime: m.buildTime,
    signed: head.header.signed,
    signerKeyId: head.signerHint,
    verified: false,
    verifyNote: null,
  };
  if (!head.header.signed) return { ...summary, verifyNote: 'unsigned: units refuse it' };
  const pems = await knownKeys(vendorKeysDir);
  if (pems.length === 0) return { ...summary, verifyNote: 'no vendor keys known to this companion: the units check the signature themselves' };
  const check = open(path);
  try {
    await verifyBundleStream(check, pinnedKeySet(pems));
    return { ...summary, verified: true };
  } catch (err) {
    return { ...summary, verifyNote: (err as Error).message };
  } finally {
    check.close();
  }
}

/** The Updates screen's methods: inspect a bundle, push it, ask units how their update goes. */
export function createUpdatesService(o: UpdatesServiceOptions) {
  let pushing = false;
  return {
    handlers: {
      'updates:inspect': ({ path }: MethodParams<'updates:inspect'>): Promise<MethodResult<'updates:inspect'>> => inspectBundle(path, o.vendorKeysDir),
      'updates:push': async ({ path, unitIds }: MethodParams<'updates:push'>): Promise<MethodResult<'updates:push'>> => {
        await inspectBundle(path, o.vendorKeysDir);
        if (pushing) throw new CompanionError('conflict', 'a push is under way; wait for it to finish');
        pushing = true;
        let result;
        try {
          result = await o.updates.push({ unitIds, file: path, onProgress: (p) => o.events('updates:progress', { overall: p.overall, units: p.units.map(({ status: _s, ...u }) => u) }) });
        } finally {
          pushing = false;
        }
        const view = { overall: result.overall, units: result.units.map(({ status: _s, ...u }) => u) };
        o.events('updates:progress', view);
        const installed = result.units.filter((u) => u.phase === 'installed').map((u) => u.unitId);
        if (installed.length > 0) {
          void o.updates.watch({ unitIds: installed, onState: (states) => o.events('updates:states', states) }).catch((err: unknown) => o.log(`update watch ended: ${(err as Error).message}`));
        }
        return view;
      },
      'updates:status': async ({ unitIds }: MethodParams<'updates:status'>): Promise<MethodResult<'updates:status'>> => o.updates.status(unitIds),
    },
  };
}
