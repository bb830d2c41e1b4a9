import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../ops/logger.js';

export interface UnitIdentity {
  id: string;
  name: string;
  model: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function defaultUnitName(id: string): string {
  return `Pitwall-${id.slice(0, 4).toUpperCase()}`;
}

/**
 * The unit's stable id, kept in DATA_DIR/identity/unit-id (made on first boot).
 * A later issue derives it from the hardware serial; this stays the sim/fallback source.
 */
export async function loadUnitIdentity(dataDir: string, opts: { name?: string; model: string; log: Logger }): Promise<UnitIdentity> {
  const dir = join(dataDir, 'identity');
  const file = join(dir, 'unit-id');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let id: string | null = null;
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (UUID.test(text)) id = text;
    else {
      const aside = `${file}.invalid-${Date.now()}`;
      await rename(file, aside);
      opts.log.error(`unit id file held an invalid id; moved it to ${aside} and made a new id`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!id) {
    id = randomUUID();
    await writeFileAtomic(file, `${id}\n`);
    opts.log.info(`new unit id ${id}`);
  }
  const name = opts.name?.trim() || defaultUnitName(id);
  return { id, name, model: opts.model };
}

/** write temp + fsync + rename + fsync(dir): after a power cut the file is old or new, never torn. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const dir = await open(join(file, '..'), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
