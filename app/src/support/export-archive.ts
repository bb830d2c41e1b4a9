import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { create as createTar } from 'tar';
import { downloadExportFile, ExportError, listExport, type ExportAccess } from './export-sftp.js';

/** The export is shallow (top, logs/, crashes/): deeper folders are not followed. */
const MAX_DEPTH = 2;
const MAX_FILES = 2000;

export interface ExportCopy {
  files: number;
  bytes: number;
  /** Entries the export showed that were refused or skipped (unsafe names, links, deeper folders). */
  skipped: number;
}

/** Downloads every file of the export (folders to depth 2) into `folder`, keeping the export's layout. */
export async function downloadExport(a: ExportAccess, folder: string): Promise<ExportCopy> {
  const copy: ExportCopy = { files: 0, bytes: 0, skipped: 0 };
  const walk = async (path: string, depth: number): Promise<void> => {
    const listing = await listExport(a, path);
    copy.skipped += listing.refused;
    const here = join(folder, ...path.split('/').filter(Boolean));
    mkdirSync(here, { recursive: true });
    for (const e of listing.entries) {
      const child = path === '' ? e.name : `${path}/${e.name}`;
      if (e.kind === 'folder' && depth < MAX_DEPTH) await walk(child, depth + 1);
      else if (e.kind === 'file') {
        if (copy.files >= MAX_FILES) throw new ExportError(`the export holds more than ${MAX_FILES} files: refused`);
        copy.bytes += (await downloadExportFile(a, child, here)).bytes;
        copy.files++;
      } else copy.skipped++;
    }
  };
  await walk('', 1);
  return copy;
}

/**
 * A diagnostics archive (tar.gz) of a unit's support export: the whole export as the unit served
 * it, plus a support-export.json saying where and when it came from. The export is already
 * redacted by the unit (config without secrets). Written to a temporary file, renamed into place.
 */
export async function archiveExport(a: ExportAccess, out: string, now = new Date()): Promise<ExportCopy & { path: string; bytes: number }> {
  const staging = mkdtempSync(join(tmpdir(), 'pitwall-support-archive-'));
  const top = basename(out).replace(/\.tar\.gz$|\.tgz$/, '') || 'support-export';
  try {
    const copy = await downloadExport(a, join(staging, top));
    const info = { format: 'pitwall-support-export-v1', madeAt: now.toISOString(), via: `${a.user}@${a.host}:${a.port}`, exportHostKey: a.exportHostKey, files: copy.files, bytes: copy.bytes, skipped: copy.skipped };
    writeFileSync(join(staging, top, 'support-export.json'), `${JSON.stringify(info, null, 2)}\n`);
    mkdirSync(dirname(out), { recursive: true });
    const tmp = `${out}.partial`;
    await createTar({ gzip: true, file: tmp, cwd: staging, portable: true }, [top]);
    renameSync(tmp, out);
    return { ...copy, path: out, bytes: statSync(out).size };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
