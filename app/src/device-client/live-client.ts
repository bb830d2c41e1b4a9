import type { ClientRequest } from 'node:http';
import https from 'node:https';
import { liveFix, liveLap, liveTiming, routePath, Routes, type LiveFix, type LiveLap, type LiveTiming } from '@pitwall/protocol';
import { PinMismatchError } from './http-client.js';

export interface LiveClientOptions {
  /**
   * Prepares each (re)connection: the link target (`host:port`) and the agent to use (for a
   * paired unit: pinned, after the unit proved its key). null = none reachable now, try later;
   * a throw is a reason to wait and retry.
   */
  prepare: () => Promise<{ target: string; agent: https.Agent } | null>;
  onFix: (fix: LiveFix) => void;
  /** The lap in progress and completed laps, when the unit times laps. */
  onTiming?: (timing: LiveTiming) => void;
  onLap?: (lap: LiveLap) => void;
  /** Reasons for dropped connections and rejected events (not thrown). */
  onProblem?: (message: string) => void;
  reconnectMs?: number;
  /** A connection with no byte for this long is considered dead and reopened. */
  idleTimeoutMs?: number;
}

const MAX_EVENT_BYTES = 64 * 1024;

/**
 * Reads GET /v1/live (Server-Sent Events `fix`, `timing` and `lap`, JSON data) and hands each
 * validated event to its handler. Reconnects after drops until `close()`.
 */
export class LiveClient {
  private req: ClientRequest | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly opts: LiveClientOptions) {
    this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.req?.destroy();
    this.req = null;
  }

  private retry(reason: string): void {
    this.req = null;
    if (this.closed) return;
    this.opts.onProblem?.(reason);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, this.opts.reconnectMs ?? 1000);
  }

  private connect(): void {
    if (this.closed) return;
    this.opts.prepare().then(
      (prepared) => {
        if (this.closed) return;
        if (!prepared) this.retry('no network link to the unit right now');
        else this.open(prepared.target, prepared.agent);
      },
      (err: Error) => this.retry(`cannot open the live stream: ${err.message}`),
    );
  }

  /** The events the companion takes from /v1/live, each checked against its schema. */
  private readonly routes: Record<string, { check: { name: string; is(v: unknown): boolean }; deliver(v: never): void } | undefined> = {
    fix: { check: liveFix, deliver: (v: LiveFix) => this.opts.onFix(v) },
    timing: { check: liveTiming, deliver: (v: LiveTiming) => this.opts.onTiming?.(v) },
    lap: { check: liveLap, deliver: (v: LiveLap) => this.opts.onLap?.(v) },
  };

  private dispatch(event: string, data: string): void {
    const route = Object.hasOwn(this.routes, event) ? this.routes[event] : undefined;
    if (!route) return;
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      this.opts.onProblem?.(`live ${event} is not JSON`);
      return;
    }
    if (route.check.is(value)) route.deliver(value as never);
    else this.opts.onProblem?.(`live ${event} does not match the ${route.check.name} schema`);
  }

  private open(target: string, agent: https.Agent): void {
    let dropped = false;
    const drop = (reason: string): void => {
      if (dropped) return;
      dropped = true;
      req.destroy();
      this.retry(reason);
    };
    const req = https.get(`https://${target}${routePath(Routes.live)}`, { headers: { accept: 'text/event-stream' }, agent }, (res) => {
      if (res.statusCode !== 200 || !String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        res.resume();
        drop(`${target} answered ${Routes.live.path} with HTTP ${res.statusCode} ${res.headers['content-type'] ?? ''}`);
        return;
      }
      res.setEncoding('utf8');
      const parser = new SseParser((event, data) => this.dispatch(event, data));
      res.on('data', (chunk: string) => {
        if (!parser.push(chunk)) drop('live event too large');
      });
      res.on('end', () => drop('live stream ended'));
      res.on('error', (err) => drop(`live stream error: ${err.message}`));
    });
    req.setTimeout(this.opts.idleTimeoutMs ?? 10_000, () => drop('live stream idle'));
    req.on('error', (err) => drop(err instanceof PinMismatchError ? err.message : `live stream to ${target} failed: ${err.message}`));
    this.req = req;
  }
}

/** Minimal Server-Sent Events parser (event + data fields; comments and ids ignored). */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  constructor(private readonly onEvent: (event: string, data: string) => void) {}

  /** Returns false when a single event grows past the size bound. */
  push(chunk: string): boolean {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const sepLen = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      this.buffer = this.buffer.slice(nl + sepLen);
      this.line(line);
    }
    return this.buffer.length + this.data.reduce((n, d) => n + d.length, 0) <= MAX_EVENT_BYTES;
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onEvent(this.event || 'message', this.data.join('\n'));
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}
