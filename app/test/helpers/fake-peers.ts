import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { waitFor } from './units.js';

/** An HTTP server on 127.0.0.1 that is not a Pitwall unit, answering in one of several wrong ways. */
export async function startNotAUnitServer(kind: 'html' | 'not-found' | 'wrong-json' | 'garbage-json'): Promise<{ target: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    if (kind === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>router admin</body></html>');
    } else if (kind === 'not-found') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"nope"}');
    } else if (kind === 'wrong-json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'printer-7', name: 'Office printer' }));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "12345678-');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { target: `127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A free TCP port on 127.0.0.1 that nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A socat pty pair whose far end is held by something that is not a unit: it answers every
 * write with random bytes (including stray 'PW' magic) and babbles on its own.
 */
export async function startGarbagePty(dir: string, name = 'garbage'): Promise<{ path: string; close: () => Promise<void> }> {
  const near = join(dir, `${name}-host`);
  const far = join(dir, `${name}-dev`);
  const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${near}`, `pty,raw,echo=0,link=${far}`], { stdio: 'ignore' });
  await waitFor('socat ptys', () => existsSync(near) && existsSync(far), 5000);
  const port = new SerialPort({ path: far, baudRate: 115200 });
  await new Promise<void>((resolve, reject) => port.once('open', resolve).once('error', reject));
  const junk = (): Buffer => {
    const b = Buffer.alloc(64 + Math.floor(Math.random() * 200));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(Math.random() * 256);
    b.write('PW', Math.floor(Math.random() * (b.length - 2)), 'latin1');
    return b;
  };
  port.on('data', () => port.write(junk()));
  port.on('error', () => undefined);
  const babble = setInterval(() => port.write(Buffer.from('$GPGGA,garbage,not,a,unit*00\r\nAT OK\r\n')), 100);
  return {
    path: near,
    async close() {
      clearInterval(babble);
      await new Promise<void>((resolve) => port.close(() => resolve()));
      socat.kill('SIGTERM');
    },
  };
}
