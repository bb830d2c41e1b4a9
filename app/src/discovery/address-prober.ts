import { isIPv4, isIPv6 } from 'node:net';
import { CompanionError, type DeviceInfo } from '@pitwall/protocol';
import { probeInfo, UnitRequestError, DEFAULT_HTTP_TIMEOUT_MS } from '../device-client/http-client.js';
import type { PresentedKey } from '../device-client/unit-agent.js';

/** Port assumed when an address names no port. */
export const DEFAULT_DEVICE_API_PORT = 8080;

export interface ParsedAddress {
  host: string;
  port: number;
  /** Canonical link target: `host:port`, or `[v6]:port`. */
  target: string;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function bad(input: string, why: string): CompanionError {
  const shown = input.length > 60 ? `${input.slice(0, 57)}...` : input;
  return new CompanionError('bad-address', `"${shown}" is not a unit address: ${why}. Use host, host:port, [IPv6]:port or https://host:port.`);
}

/**
 * Parses what a person typed as a unit address: `host`, `host:port`, `[v6]:port`, a bare IPv6
 * address, or `http(s)://host:port[/]`. Strict: anything else is a CompanionError('bad-address').
 */
export function parseAddress(input: unknown, defaultPort = DEFAULT_DEVICE_API_PORT): ParsedAddress {
  if (typeof input !== 'string') throw bad(String(input), 'it is not text');
  const raw = input.trim();
  if (raw.length === 0) throw bad(input, 'it is empty');
  if (raw.length > 255) throw bad(input, 'it is too long');
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(raw)) throw bad(input, 'it contains spaces or control characters');
  let rest = raw;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name !== 'https' && name !== 'http') throw bad(input, `the ${scheme[1]} scheme is not supported (units speak https)`);
    rest = rest.slice(scheme[0].length);
    if (rest.endsWith('/')) rest = rest.slice(0, -1);
  }
  if (/[/?#@\\]/.test(rest)) throw bad(input, 'only a host and a port are allowed (no path, query or user)');

  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
    if (!m) throw bad(input, 'the IPv6 address in brackets is not closed properly');
    host = m[1]!;
    portText = m[2];
    if (!isIPv6(host)) throw bad(input, `${host} is not an IPv6 address`);
  } else if (!scheme && rest.split(':').length > 2) {
    if (!isIPv6(rest)) throw bad(input, 'it has too many colons (write IPv6 addresses as [addr]:port)');
    host = rest;
  } else {
    const i = rest.lastIndexOf(':');
    host = i < 0 ? rest : rest.slice(0, i);
    portText = i < 0 ? undefined : rest.slice(i + 1);
    host = host.toLowerCase();
    if (host.length === 0) throw bad(input, 'the host is missing');
    if (/^[0-9.]+$/.test(host)) {
      if (!isIPv4(host)) throw bad(input, `${host} is not a valid IPv4 address`);
    } else if (host.length > 253 || !host.split('.').every((l) => LABEL.test(l))) {
      throw bad(input, `${host} is not a valid host name`);
    }
  }
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText)) throw bad(input, `port "${portText}" is not a number`);
    port = Number(portText);
    if (port < 1 || port > 65535) throw bad(input, `port ${port} is outside 1-65535`);
  }
  host = host.toLowerCase();
  return { host, port, target: isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}` };
}

/** Link target (`host:port`, `[v6]:port`) from an mDNS address and port. */
export function targetOf(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Asks GET /v1/info at a parsed address. Throws CompanionError `unreachable` when nothing
 * answers and `not-a-unit` when something answers that is not a Pitwall unit.
 */
export async function probeAddress(address: ParsedAddress, timeoutMs = DEFAULT_HTTP_TIMEOUT_MS): Promise<{ info: DeviceInfo; presented: PresentedKey | null }> {
  try {
    return await probeInfo(address.target, timeoutMs);
  } catch (err) {
    if (err instanceof UnitRequestError) {
      const hint =
        err.kind === 'unreachable'
          ? ' Check that the unit is on, on this network, and that the port is its API port.'
          : '';
      throw new CompanionError(err.kind === 'unreachable' ? 'unreachable' : 'not-a-unit', `${err.message}.${hint}`);
    }
    throw new CompanionError('internal', `probing ${address.target} failed: ${(err as Error).message}`);
  }
}
