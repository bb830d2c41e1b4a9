import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Makes 127.0.0.1:PORT inside a namespace reachable at 127.0.0.1:PORT of this namespace,
 * so a browser on the machine can open a companion that runs beside the simulated units.
 * Two socat processes meet at a unix socket, which (unlike TCP) crosses namespaces.
 */
export async function bridgeLoopbackPort(netns: string, port: number, socketDir: string): Promise<{ close(): void }> {
  const sock = join(socketDir, `bridge-${port}.sock`);
  const inner = spawn('ip', ['netns', 'exec', netns, 'socat', `UNIX-LISTEN:${sock},fork,unlink-early`, `TCP:127.0.0.1:${port}`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(sock); i++) await sleep(20);
  if (!existsSync(sock)) throw new Error('socat did not create the bridge socket');
  const outer = spawn('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`, `UNIX-CONNECT:${sock}`], { stdio: 'ignore' });
  const children: ChildProcess[] = [inner, outer];
  return {
    close() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    },
  };
}
