import { parseArgs } from 'node:util';
import { parseChoice, parseNumber, parsePort, ParameterError } from '@pitwall/protocol';
import { AUDIT_KINDS, type AuditKind } from './audit.js';
import { isPostgresUrl, type DatabaseTarget } from './db/open-database.js';
import { ORGANISATION_KINDS, type OrganisationKind } from './organisations/members.js';

export const USAGE = `Usage:
  pitwall-hub serve (--data-dir DIR | --database postgres://…) [--key-file FILE] [--vendor-keys DIR] [--host H] [--port N] [--trust-proxy] [--rate-limit N] [--member-rate-limit N]
      Serve the hub over plain HTTP (put TLS in front: docs/hub.md) and print {"event":"ready","url":…}.
      --data-dir: an embedded SQLite file DIR/hub.sqlite and the signing key DIR/hub-key.pem.
      --database: a PostgreSQL database shared by every hub process; --key-file is then required
      (the same file for every process). Default host 127.0.0.1, port 8470.
      --vendor-keys: a unit the hub has not seen registers only with a birth certificate signed
      by one of these vendor public keys (*.pem); without it, the first key to claim a unit id
      is taken (development mode).
      --trust-proxy: one proxy in front; the client address is the X-Forwarded-For entry it appended.
      --rate-limit: challenges and registrations a minute per client address (IPv6: per /64),
      counted in the database for every process (default 120; 0: no limit).
      --member-rate-limit: requests a minute per member token to the member routes, counted in
      the database for every process (default 600; 0: no limit).
  pitwall-hub org add (--data-dir DIR | --database URL) --kind vendor|dealer|academy --name NAME
  pitwall-hub org link-dealer (--data-dir DIR | --database URL) --dealer ID --academy ID
  pitwall-hub member add (--data-dir DIR | --database URL) --org ID --name NAME [--role ROLE]
      Prints the member's bearer token once.
  pitwall-hub audit (--data-dir DIR | --database URL) [--kind key-mismatch|key-unvouched|registered|claimed|claim-code-issued] [--limit N]
      The audit records, newest first, one JSON line each (default: the last 100 of every kind).`;

export type HubCommand =
  | { command: 'serve'; target: DatabaseTarget; keyFile: string; vendorKeysDir: string | null; host: string; port: number; trustProxy: boolean; rateLimit: number; memberRateLimit: number }
  | { command: 'org-add'; target: DatabaseTarget; kind: OrganisationKind; name: string }
  | { command: 'link-dealer'; target: DatabaseTarget; dealer: string; academy: string }
  | { command: 'member-add'; target: DatabaseTarget; org: string; name: string; role: string }
  | { command: 'audit'; target: DatabaseTarget; kind?: AuditKind; limit: number }
  | { command: 'help' };

const options = {
  'data-dir': { type: 'string' },
  database: { type: 'string' },
  'key-file': { type: 'string' },
  'vendor-keys': { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8470' },
  'trust-proxy': { type: 'boolean', default: false },
  'rate-limit': { type: 'string', default: '120' },
  'member-rate-limit': { type: 'string', default: '600' },
  kind: { type: 'string' },
  name: { type: 'string' },
  dealer: { type: 'string' },
  academy: { type: 'string' },
  org: { type: 'string' },
  role: { type: 'string', default: 'admin' },
  limit: { type: 'string', default: '100' },
  help: { type: 'boolean', default: false },
} as const;

const ID = /^[0-9a-f]{32}$/;
function required(name: string, v: string | undefined, pattern?: RegExp): string {
  if (v === undefined || v === '') throw new ParameterError(`--${name} is required.`);
  if (pattern && !pattern.test(v)) throw new ParameterError(`--${name} must be an id of 32 hex digits.`);
  return v;
}

function targetOf(dataDir: string | undefined, database: string | undefined): DatabaseTarget {
  if ((dataDir === undefined) === (database === undefined)) throw new ParameterError('give exactly one of --data-dir DIR (SQLite) or --database postgres://… .');
  if (database !== undefined) {
    if (!isPostgresUrl(database)) throw new ParameterError('--database must be a postgres:// or postgresql:// URL.');
    return { kind: 'postgres', url: database };
  }
  return { kind: 'sqlite', file: `${dataDir}/hub.sqlite` };
}

/** Parses the command line; a mistake is a ParameterError naming the flag. */
export function parseHubArgs(argv: string[]): HubCommand {
  const { values: v, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  if (v.help || positionals.length === 0) return { command: 'help' };
  const words = positionals.join(' ');
  const target = () => targetOf(v['data-dir'], v.database);
  switch (words) {
    case 'serve': {
      const t = target();
      const keyFile = v['key-file'] ?? (v['data-dir'] !== undefined ? `${v['data-dir']}/hub-key.pem` : undefined);
      if (keyFile === undefined) throw new ParameterError('--key-file is required with --database: every hub process signs with the same key.');
      return { command: 'serve', target: t, keyFile, vendorKeysDir: v['vendor-keys'] ?? null, host: v.host, port: parsePort('--port', v.port), trustProxy: v['trust-proxy'], rateLimit: parseNumber('--rate-limit', v['rate-limit'], { min: 0, max: 1_000_000, integer: true }), memberRateLimit: parseNumber('--member-rate-limit', v['member-rate-limit'], { min: 0, max: 1_000_000, integer: true }) };
    }
    case 'org add': {
      const kind = required('kind', v.kind) as OrganisationKind;
      if (!ORGANISATION_KINDS.includes(kind)) throw new ParameterError(`--kind must be one of ${ORGANISATION_KINDS.join(', ')}.`);
      return { command: 'org-add', target: target(), kind, name: required('name', v.name) };
    }
    case 'org link-dealer':
      return { command: 'link-dealer', target: target(), dealer: required('dealer', v.dealer, ID), academy: required('academy', v.academy, ID) };
    case 'audit': {
      const kind = v.kind === undefined ? undefined : parseChoice('--kind', v.kind, AUDIT_KINDS);
      return { command: 'audit', target: target(), ...(kind ? { kind } : {}), limit: parseNumber('--limit', v.limit, { min: 1, max: 100_000, integer: true }) };
    }
    case 'member add':
      return { command: 'member-add', target: target(), org: required('org', v.org, ID), name: required('name', v.name), role: v.role };
    default:
      throw new ParameterError(`unknown command "${words.slice(0, 40)}".`);
  }
}
