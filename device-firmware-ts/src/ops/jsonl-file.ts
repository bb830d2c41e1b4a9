import { open, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../identity/atomic-file.js';

/** Complete lines that parse as JSON; a torn last line (power cut mid-append) is skipped. */
export async function readJsonl<T>(file: string, check: (v: unknown) => T | null): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = check(JSON.parse(line));
      if (v !== null) out.push(v);
    } catch {
      /* torn or foreign line */
    }
  }
  return out;
}

/** Appends one line and fsyncs; a line of its own even after a torn tail. */
export async function appendJsonl(file: string, value: unknown): Promise<void> {
  const fh = await open(file, 'a+');
  try {
    const { size } = await fh.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await fh.appendFile(`${prefix}${JSON.stringify(value)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces the file with these lines (temp + fsync + rename). */
export async function rewriteJsonl(file: string, values: unknown[]): Promise<void> {
  await writeFileAtomic(file, values.map((v) => `${JSON.stringify(v)}\n`).join(''), 0o644);
}
