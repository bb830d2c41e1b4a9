import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CompanionError, Routes, type MethodParams, type MethodResult } from '@pitwall/protocol';
import type { UnitChannels } from '../trust/unit-channel.js';
import { archiveExport } from './export-archive.js';
import { downloadExportFile, ExportError, listExport, type ExportAccess } from './export-sftp.js';
import { parseRelayAddress } from './relay-address.js';

/** The unit's export account when the window names none (the unit's support.exportUser default). */
export const DEFAULT_EXPORT_USER = 'pitwall-support';

/**
 * Where the export's downloads go. The desktop app asks the user for a folder; browser mode
 * stages the file and hands the page a one-time download address; the default stages it in a
 * fresh folder under the companion's exports folder and says where.
 */
export interface SupportDownloads {
  /** The folder to write into, or null when the user cancelled. */
  folder(what: { kind: 'file' | 'archive'; name: string }): Promise<string | null>;
  /** What the window is told about a file written into that folder. */
  deliver(file: string): { savedTo: string | null; downloadUrl: string | null };
  /** A download into `folder` failed: a staged folder goes away (a folder the user chose stays). */
  discard?(folder: string): void;
}

export function stagedDownloads(root: string): SupportDownloads {
  return {
    folder: async () => {
      mkdirSync(root, { recursive: true, mode: 0o700 });
      return mkdtempSync(join(root, 'support-'));
    },
    deliver: (file) => ({ savedTo: file, downloadUrl: null }),
    discard: (folder) => rmSync(folder, { recursive: true, force: true }),
  };
}

type Access = MethodParams<'support:export-list'>['access'];
type Saved = MethodResult<'support:export-archive'>;

/**
 * `support:export-*`: the unit's read-only export through the support relay, for the support
 * panel. The same functions as `pitwall support ls|get|archive`; the unit's own support status
 * says whether support is on, whether the tunnel is up and which host key the export must show.
 */
export function supportExportHandlers(channels: UnitChannels, downloads: SupportDownloads) {
  const accessFor = async (id: string, a: Access): Promise<ExportAccess> => {
    const relay = parseRelayAddress(a.relay);
    if (!relay) throw new CompanionError('invalid-params', 'The relay address takes HOST:PORT: where the tunnel\'s listen port is reachable from this computer.');
    if (!existsSync(a.keyFile)) throw new CompanionError('invalid-params', `There is no key file at ${a.keyFile}: give the path of your support staff private key.`);
    const s = await channels.callRoute(id, Routes.supportStatus);
    if (!s.on) throw supportOff();
    if (s.tunnel !== 'up') throw new CompanionError('unreachable', `The unit's tunnel to the relay is not connected (${s.tunnel === 'backoff' ? 'the relay did not let it in; it keeps retrying' : s.tunnel}): the export opens once it is up.`);
    if (!s.exportHostKey) throw new CompanionError('unreachable', 'The unit has not started its export server yet: try again in a moment.');
    return { ...relay, user: a.user ?? DEFAULT_EXPORT_USER, keyFile: a.keyFile, exportHostKey: s.exportHostKey, timeoutMs: 120_000 };
  };

  /** sftp's failure in words; support may have ended meanwhile (expiry closes the tunnel): then say that. */
  const explain = async (id: string, a: ExportAccess, err: unknown): Promise<never> => {
    if (!(err instanceof ExportError)) throw err;
    const m = err.message;
    if (/^sftp failed/.test(m)) {
      const now = await channels.callRoute(id, Routes.supportStatus).catch(() => null);
      if (now && !now.on) throw supportOff();
    }
    const where = `${a.host}:${a.port}`;
    if (/Connection refused|timed out|No route to host|Network is unreachable|Could not resolve|Name or service not known|Connection closed|Connection reset|kex_exchange_identification/i.test(m))
      throw new CompanionError('unreachable', `The relay did not answer at ${where}: check that the tunnel's listen port is reachable from this computer there. (${m})`);
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(m))
      throw new CompanionError('key-changed', `The export at ${where} presented another host key than the unit's support status gives: nothing was read.`);
    if (/Permission denied/.test(m)) throw new CompanionError('forbidden', `The export refused your key: its public half must be among the unit's support staff keys. (${m})`);
    if (/not found|No such file/i.test(m)) throw new CompanionError('not-found', `That entry is not in the export (any more). (${m})`);
    if (/already exists/.test(m)) throw new CompanionError('conflict', m);
    throw new CompanionError('forbidden', m);
  };

  const saved = (bytes: number, file: string, name: string, files: number, skipped: number): Saved => ({ name, bytes, files, skipped, ...downloads.deliver(file) });
  const cancelled = (name: string): Saved => ({ name, bytes: 0, files: 0, skipped: 0, savedTo: null, downloadUrl: null });

  return {
    'support:export-list': async ({ id, access, path }: MethodParams<'support:export-list'>): Promise<MethodResult<'support:export-list'>> => {
      const a = await accessFor(id, access);
      try {
        const listing = await listExport(a, path);
        return { path: path.split('/').filter(Boolean).join('/'), ...listing };
      } catch (err) {
        return explain(id, a, err);
      }
    },
    'support:export-get': async ({ id, access, path }: MethodParams<'support:export-get'>): Promise<Saved> => {
      const a = await accessFor(id, access);
      const name = path.split('/').filter(Boolean).at(-1) ?? '';
      const folder = await downloads.folder({ kind: 'file', name });
      if (folder === null) return cancelled(name);
      try {
        const got = await downloadExportFile(a, path, folder);
        return saved(got.bytes, got.file, name, 1, 0);
      } catch (err) {
        downloads.discard?.(folder);
        return explain(id, a, err);
      }
    },
    'support:export-archive': async ({ id, access }: MethodParams<'support:export-archive'>): Promise<Saved> => {
      const a = await accessFor(id, access);
      const name = `support-export-${id.slice(0, 8)}-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}.tar.gz`;
      const folder = await downloads.folder({ kind: 'archive', name });
      if (folder === null) return cancelled(name);
      const out = join(folder, name);
      try {
        const made = await archiveExport(a, out);
        return saved(made.bytes, made.path, name, made.files, made.skipped);
      } catch (err) {
        rmSync(`${out}.partial`, { force: true });
        downloads.discard?.(folder);
        return explain(id, a, err);
      }
    },
  };
}

function supportOff(): CompanionError {
  return new CompanionError('conflict', 'Support mode is off on this unit (turned off, or its time ran out): an owner must turn it on before its export can be opened.');
}
