import { mkdirSync } from 'node:fs';
import type { CrashDump, CrashSummary, HealthSnapshot, LogBoot } from '@pitwall/protocol';
import type { AuditExtract, DiagnosticsSource } from '../../src/diagnostics/unit-source.js';
import { StagingWriter, type FrameKind } from '../../src/diagnostics/staging-file.js';

/** One line a fake unit sends for a boot: the seq it stands for (for `after`), and its text. */
export interface SourceLine {
  seq: number;
  text: string;
}

export interface FakeBootData {
  boot: string;
  startedAt: string;
  lines: SourceLine[];
  /** What the unit lists; defaults from the lines. */
  firstSeq?: number;
  lastSeq?: number;
  confirmedSeq: number;
}

/**
 * An in-process DiagnosticsSource over arrays (no HTTPS): the body of a log request is cut into
 * chunks of `chunk()` bytes, and can be cut off after `cutAfter` bytes (a dropped connection).
 */
export class ArraySource implements DiagnosticsSource {
  readonly requests: { boot: string; after: number; limit: number }[] = [];
  readonly confirms: { boot: string; seq: number }[] = [];
  cutAfter = 0;

  constructor(
    readonly data: FakeBootData[],
    private readonly chunk: () => number = () => 64 * 1024,
  ) {}

  async boots(): Promise<LogBoot[]> {
    return this.data.map((b) => ({
      boot: b.boot,
      startedAt: b.startedAt,
      firstSeq: b.firstSeq ?? b.lines[0]?.seq ?? 0,
      lastSeq: b.lastSeq ?? b.lines.at(-1)?.seq ?? 0,
      confirmedSeq: b.confirmedSeq,
    }));
  }

  async logs(boot: string, after: number, limit: number, onData: (chunk: Buffer) => void | Promise<void>): Promise<void> {
    this.requests.push({ boot, after, limit });
    const b = this.data.find((x) => x.boot === boot);
    if (!b) throw new Error('no such boot');
    const lines = b.lines.filter((l) => l.seq > after).slice(0, limit);
    const body = Buffer.from(lines.map((l) => `${l.text}\n`).join(''));
    let sent = 0;
    while (sent < body.length) {
      if (this.cutAfter > 0 && sent >= this.cutAfter) throw new Error('the connection broke while reading');
      const n = Math.max(1, this.chunk());
      const end = this.cutAfter > 0 ? Math.min(sent + n, this.cutAfter, body.length) : Math.min(sent + n, body.length);
      const wait = onData(body.subarray(sent, end));
      if (wait) await wait;
      sent = end;
      if (sent % 8 === 0) await new Promise((r) => setImmediate(r));
    }
  }

  async confirmLogs(boot: string, seq: number): Promise<void> {
    this.confirms.push({ boot, seq });
    const b = this.data.find((x) => x.boot === boot);
    if (b) b.confirmedSeq = Math.max(b.confirmedSeq, seq);
  }

  async health(): Promise<HealthSnapshot[]> {
    return [];
  }
  async crashes(): Promise<CrashSummary[]> {
    return [];
  }
  async crash(): Promise<CrashDump> {
    throw new Error('no crashes');
  }
  async confirmCrashes(): Promise<void> {}
  async auditLog(): Promise<AuditExtract | null> {
    return null;
  }
}

/** Writes a staging file as a pull would have: the header, then the given frames. */
export async function writeStaging(dir: string, path: string, header: { unit: string; boot: string; startedAt: string; after: number; lastSeq: number }, frames: { kind: FrameKind; payload: Buffer; lastSeq: number }[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const w = await StagingWriter.create(path, header, () => undefined);
  for (const f of frames) void w.append(f.kind, f.payload, f.lastSeq);
  await w.sync();
  await w.close();
}
