import { Agent, request } from 'node:https';
import { readFile } from 'node:fs/promises';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { auditRecord, pairResult, type AuditRecord, type PairResult, type Role } from '@pitwall/protocol';
import { auditFiles, refusalFiles, fingerprintOf, generateIdentityKeyPem, selfSignedCertificatePem } from '../../src/index.js';
import { SerialRpcClient } from './serial-rpc-client.js';

/** An operator key and its self-signed client certificate (what a companion holds). */
export interface OperatorCreds {
  keyPem: string;
  certPem: string;
  fingerprint: string;
}

export async function makeOperator(cn = 'test operator'): Promise<OperatorCreds> {
  const keyPem = generateIdentityKeyPem();
  const key = createPrivateKey(keyPem);
  return { keyPem, certPem: await selfSignedCertificatePem(key, cn), fingerprint: fingerprintOf(createPublicKey(key)) };
}

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's bytes as sent (compressed when the unit compressed it). */
  raw: Buffer;
  /** Fingerprint of the key in the unit's TLS certificate. */
  serverFingerprint: string | null;
}

export interface CallOptions {
  client?: OperatorCreds;
  body?: string | object;
  headers?: Record<string, string>;
  agent?: Agent;
  timeoutMs?: number;
}

/** A keep-alive agent presenting `client` (TLS 1.3; the unit is pinned by fingerprint, not by a CA). */
export function operatorAgent(client?: OperatorCreds, maxSockets = 16): Agent {
  return new Agent({ keepAlive: true, maxSockets, rejectUnauthorized: false, minVersion: 'TLSv1.3', ...(client ? { key: client.keyPem, cert: client.certPem } : {}) });
}

export function https(base: string, method: string, path: string, opts: CallOptions = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string> = { ...(body !== undefined && typeof opts.body === 'object' ? { 'content-type': 'application/json' } : {}), ...opts.headers };
    const tlsOpts = opts.agent
      ? { agent: opts.agent }
      : { agent: false as const, rejectUnauthorized: false, ...(opts.client ? { key: opts.client.keyPem, cert: opts.client.certPem } : {}) };
    const req = request(`${base}${path}`, { method, headers, ...tlsOpts }, (res) => {
      const chunks: Buffer[] = [];
      const peer = (res.socket as TLSSocket).getPeerCertificate?.();
      const serverFingerprint = peer?.raw ? fingerprintOf(new X509Certificate(peer.raw).publicKey) : null;
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw, serverFingerprint });
      });
    });
    req.on('error', reject);
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error(`${method} ${path}: no response in time`)));
    req.end(body);
  });
}

/** Pairs `op` over the unit's USB serial end (physical presence). */
export async function pairOverSerial(serialPath: string, op: OperatorCreds, role: Role, name = `${role} laptop`): Promise<PairResult> {
  const client = await SerialRpcClient.open(serialPath);
  try {
    const r = await client.call(1, 'pair', { operatorName: name, role, operatorCertificate: op.certPem });
    if (!('result' in r)) throw new Error(`pair over serial failed: ${JSON.stringify(r)}`);
    return pairResult.parse(r.result);
  } finally {
    await client.close();
  }
}

/** The unit's audit records as its files hold them (security records and refusals), in seq order. */
export async function readAudit(dataDir: string): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for (const file of [...auditFiles(dataDir), ...refusalFiles(dataDir)]) {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    for (const l of text.split('\n')) if (l.trim()) records.push(auditRecord.parse(JSON.parse(l)));
  }
  return records.sort((a, b) => a.seq - b.seq);
}
