import https from 'node:https';
import { spawn } from 'node:child_process';
import { Routes } from '@pitwall/protocol';
import { COMPANION_CLI } from '../testbed/companion.js';

/** GET /v1/info of a sim unit on loopback (self-signed: the test only reads public info). */
export function unitInfo(port: number): Promise<{ id: string; firmware: { version: string }; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: Routes.info.path, rejectUnauthorized: false }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve(JSON.parse(text) as never));
      })
      .on('error', reject);
  });
}

/** `pitwall pair <address> --via net` against a companion data directory (the unit's button must be pressed). */
export function cliPair(dataDir: string, address: string, extra: string[] = []): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [COMPANION_CLI, 'pair', address, '--data-dir', dataDir, '--no-mdns', '--timeout', '5', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}
