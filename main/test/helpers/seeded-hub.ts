import { createServer, Socket, type Server } from 'node:net';
import { join } from 'node:path';
import { HubClient } from '@pitwall/protocol/node';
import { hubCli, startHubProcess, type HubProcess } from '../../../hub/test/helpers/hub-process.js';

export interface SeededHub {
  hub: HubProcess;
  /** The academy's admin, and its members: a driver of both groups, a second driver of Team Red, an analyst of Class of May. */
  tokens: { admin: string; ana: string; ben: string; cleo: string };
  groups: { red: string; may: string };
  stop(): Promise<void>;
}

/**
 * A real `pitwall-hub serve` on SQLite in `dir`, seeded through its CLI (academy, members) and its
 * API (groups, roles): what an academy's admin does before handing out member tokens.
 */
export async function startSeededHub(dir: string): Promise<SeededHub> {
  const target = { kind: 'sqlite' as const, file: join(dir, 'hub.sqlite') };
  const org = await hubCli(['org', 'add', '--kind', 'academy', '--name', 'Kart Academy North'], target, dir);
  const member = async (name: string, role = 'member') => hubCli(['member', 'add', '--org', org.organisationId!, '--name', name, '--role', role], target, dir);
  const admin = await member('Ada Admin', 'admin');
  const [ana, ben, cleo] = [await member('Ana Ruiz'), await member('Ben Okafor'), await member('Cleo Martin')];
  const hub = await startHubProcess(target, dir, join(dir, 'hub-key.pem'));
  const asAdmin = new HubClient(hub.url, { token: admin.token! });
  const red = (await asAdmin.createGroup('Team Red')).groupId;
  const may = (await asAdmin.createGroup('Class of May')).groupId;
  await asAdmin.addGroupMember(red, ana!.memberId!, 'driver');
  await asAdmin.addGroupMember(may, ana!.memberId!, 'driver');
  await asAdmin.addGroupMember(red, ben!.memberId!, 'driver');
  await asAdmin.addGroupMember(may, cleo!.memberId!, 'analyst');
  return { hub, tokens: { admin: admin.token!, ana: ana!.token!, ben: ben!.token!, cleo: cleo!.token! }, groups: { red, may }, stop: () => hub.stop() };
}

/**
 * A TCP relay on a fixed loopback port in front of a hub: closing it makes the hub unreachable
 * at the same address (the network gone at the track), opening it brings it back; `target` can
 * be pointed at another server (a hub with another key in its place).
 */
export class HubRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** Held back before each piece of the answer is passed on, ms. */
  delayMs = 0;
  constructor(public target: { host: string; port: number }) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    const server = createServer((inbound) => {
      const outbound = new Socket();
      outbound.connect(this.target.port, this.target.host);
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      inbound.pipe(outbound);
      // A slow link: each piece of the hub's answer held back a while (the screen's progress shows).
      outbound.on('data', (chunk: Buffer) => {
        if (this.delayMs === 0) return void inbound.write(chunk);
        outbound.pause();
        setTimeout(() => {
          inbound.write(chunk);
          outbound.resume();
        }, this.delayMs);
      });
      outbound.on('end', () => setTimeout(() => inbound.end(), this.delayMs));
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Sends new connections elsewhere and drops the open ones (a client's kept-alive socket would still reach the old server). */
  retarget(target: { host: string; port: number }): void {
    this.target = target;
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const s = this.server;
    this.server = null;
    if (s) await new Promise((r) => s.close(r));
  }
}

export const hostPort = (url: string) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
};

export interface SeededHubBehindRelay extends SeededHub {
  /** The relay in front of the hub: the address companions are given, cut and restored by the test. */
  relay: HubRelay;
}

/** `startSeededHub` with a `HubRelay` open in front of it; `stop()` closes the relay, then the hub. */
export async function hubBehindRelay(dir: string): Promise<SeededHubBehindRelay> {
  const seeded = await startSeededHub(dir);
  const relay = new HubRelay(hostPort(seeded.hub.url));
  try {
    await relay.open();
  } catch (err) {
    await seeded.stop();
    throw err;
  }
  const stop = async () => {
    await relay.close();
    await seeded.stop();
  };
  return { ...seeded, relay, stop };
}
