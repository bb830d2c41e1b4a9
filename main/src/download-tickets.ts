import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SupportDownloads } from '@pitwall/app';

/** How long a staged download waits for the browser to fetch it. */
const TICKET_TTL_MS = 10 * 60_000;
const TICKET = /^[A-Za-z0-9_-]{43}$/;

export interface StagedDownload {
  file: string;
  name: string;
  /** Removes the staged copy (after it was sent, or when sending failed). */
  done(): void;
}

export interface DownloadTickets {
  /** For the companion core: stage into a fresh folder, answer with a one-time address. */
  readonly downloads: SupportDownloads;
  /** The staged file of a ticket, once: a second take, an unknown or an expired ticket gives null. */
  take(ticket: string): StagedDownload | null;
  close(): void;
}

/**
 * Browser mode's downloads of the support export: the companion writes the file into a folder of
 * its own (`root`, emptied at start) and the page gets `/api/download/<ticket>`, a 256-bit,
 * single-use, expiring address the browser fetches as an ordinary download (a link cannot carry
 * the bearer token; the ticket is given only to a caller that holds it).
 */
export function createDownloadTickets(root: string): DownloadTickets {
  rmSync(root, { recursive: true, force: true });
  const tickets = new Map<string, { file: string; timer: NodeJS.Timeout }>();
  const drop = (file: string) => rmSync(dirname(file), { recursive: true, force: true });
  return {
    downloads: {
      folder: async () => {
        mkdirSync(root, { recursive: true, mode: 0o700 });
        return mkdtempSync(join(root, 'dl-'));
      },
      deliver: (file) => {
        const ticket = randomBytes(32).toString('base64url');
        const timer = setTimeout(() => {
          tickets.delete(ticket);
          drop(file);
        }, TICKET_TTL_MS);
        timer.unref();
        tickets.set(ticket, { file, timer });
        return { savedTo: null, downloadUrl: `/api/download/${ticket}` };
      },
      discard: (folder) => rmSync(folder, { recursive: true, force: true }),
    },
    take(ticket) {
      if (!TICKET.test(ticket)) return null;
      const t = tickets.get(ticket);
      if (!t) return null;
      tickets.delete(ticket);
      clearTimeout(t.timer);
      return { file: t.file, name: basename(t.file), done: () => drop(t.file) };
    },
    close() {
      for (const t of tickets.values()) clearTimeout(t.timer);
      tickets.clear();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
