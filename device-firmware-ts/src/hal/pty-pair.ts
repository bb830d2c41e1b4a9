import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Two linked pseudo-terminals (socat), reachable through the symlinks `a` and `b`. */
export interface PtyPair {
  readonly a: string;
  readonly b: string;
  /** pid of the watchdog shell that owns socat (socat dies with it and with us). */
  readonly pid: number;
  /** Resolves when socat has exited (for any reason). */
  readonly exited: Promise<number | null>;
  close(): Promise<void>;
}

const WATCHDOG = `exec 3<&0
"$@" </dev/null & p=$!
( read _ <&3; kill $p 2>/dev/null ) & w=$!
wait $p; s=$?
kill $w 2>/dev/null
exit $s`;

export async function openPtyPair(a: string, b: string, timeoutMs = 5000): Promise<PtyPair> {
  await Promise.all([unlinkIfExists(a), unlinkIfExists(b)]);
  // Node cannot set PDEATHSIG: socat would outlive a SIGKILLed unit. The shell holds our pipe
  // on stdin; when it reads EOF (we closed it, or the kernel did because we died) it stops socat.
  const child = spawn('sh', ['-c', WATCHDOG, 'pty-pair', 'socat', '-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  child.stdin!.on('error', () => {});
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err) => reject(new Error(`cannot start socat (is it installed?): ${err.message}`))),
  );
  spawnError.catch(() => {});
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await exists(a)) && (await exists(b))) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.stdin!.end();
      child.kill('SIGKILL');
      throw new Error(`socat did not create ${a} and ${b}: ${stderr.trim() || 'timeout'}`);
    }
    await Promise.race([sleep(10), spawnError]);
  }
  return {
    a,
    b,
    pid: child.pid as number,
    exited,
    close: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    // EOF on the watchdog's stdin: it sends socat SIGTERM (socat then removes its links).
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function unlinkIfExists(p: string): Promise<void> {
  try {
    await unlink(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
