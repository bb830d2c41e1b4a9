import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { archiveExport, DEFAULT_EXPORT_USER, downloadExportFile, ExportError, listExport, parseRelayAddress, type ExportAccess } from '@pitwall/app';
import type { Io } from './session-commands.js';

export const SUPPORT_EXPORT_USAGE = `  pitwall support ls [PATH] --relay HOST:PORT --key FILE --host-key KEY|FILE [--user NAME]
  pitwall support get PATH -o FOLDER [same options]
  pitwall support archive -o FILE.tar.gz [same options]
      Support staff: browse a unit's read-only export through the support relay (OpenSSH sftp).
      --relay is where the tunnel's listen port is reachable from here (on the relay itself:
      127.0.0.1:LISTENPORT); --key is your staff key; --host-key is the export host key that
      \`pitwall support status <unit>\` prints (pinned: any other key is refused); --user is the
      unit's export account (default pitwall-support). get saves one file into FOLDER; archive
      downloads the whole export into a diagnostics archive.`;

export const SUPPORT_EXPORT_ACTIONS = new Set(['ls', 'get', 'archive']);

class UsageError extends Error {}

function accessFrom(values: Record<string, string | boolean | undefined>): ExportAccess {
  const need = (name: string): string => {
    const v = values[name];
    if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} is required`);
    return v.trim();
  };
  const relay = parseRelayAddress(need('relay'));
  if (!relay) throw new UsageError('--relay takes HOST:PORT (the tunnel\'s listen port as reachable from here)');
  const hostKeyArg = need('host-key');
  const hostKey = /^(ssh-|ecdsa-)/.test(hostKeyArg) ? hostKeyArg : readFileSync(hostKeyArg, 'utf8').trim();
  const user = typeof values.user === 'string' ? values.user : DEFAULT_EXPORT_USER;
  return { ...relay, user, keyFile: resolve(need('key')), exportHostKey: hostKey };
}

/** `pitwall support ls|get|archive`. Exit 0 ok, 1 refused or failed, 2 usage. */
export async function runSupportExportCommand(argv: string[], io: Io): Promise<number> {
  const [action, ...rest] = argv;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: { relay: { type: 'string' }, key: { type: 'string' }, 'host-key': { type: 'string' }, user: { type: 'string' }, output: { type: 'string', short: 'o' } },
    });
    const access = accessFrom(values);
    if (action === 'ls') {
      if (positionals.length > 1) throw new UsageError('support ls takes at most one path');
      const listing = await listExport(access, positionals[0] ?? '');
      for (const e of listing.entries) io.out(`${e.kind === 'folder' ? 'd' : e.kind === 'file' ? '-' : '?'} ${String(e.bytes).padStart(12)} ${e.name}${e.kind === 'folder' ? '/' : ''}`);
      if (listing.refused > 0) io.err(`${listing.refused} entr${listing.refused === 1 ? 'y' : 'ies'} of the export refused (unsafe or unreadable names)`);
      return 0;
    }
    if (!values.output) throw new UsageError(`support ${action} needs -o ${action === 'get' ? 'FOLDER' : 'FILE.tar.gz'}`);
    if (action === 'get') {
      if (positionals.length !== 1) throw new UsageError('support get needs exactly one path of the export (as support ls shows it)');
      const got = await downloadExportFile(access, positionals[0]!, resolve(values.output));
      io.out(`saved ${got.file} (${got.bytes} bytes)`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError('support archive takes no path: it downloads the whole export');
    const made = await archiveExport(access, resolve(values.output));
    io.out(`wrote ${made.path} (${made.bytes} bytes): ${made.files} files of the export${made.skipped > 0 ? `, ${made.skipped} entries refused or skipped` : ''}`);
    return 0;
  } catch (err) {
    if (err instanceof ExportError) {
      io.err(err.message);
      return 1;
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(err as Error).message} (see pitwall --help)`);
      return 2;
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      io.err((err as Error).message);
      return 1;
    }
    throw err;
  }
}
