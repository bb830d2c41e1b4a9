import { sign } from 'node:crypto';
import { open } from 'node:fs/promises';
import {
  factoryResetResult,
  recoveryInstallBegun,
  recoveryInstallChunkAck,
  recoveryRollbackResult,
  recoveryStatus,
  serialCallMessage,
  serialNonce,
  updateStatus,
  type FactoryResetResult,
  type RecoveryRollbackResult,
  type RecoveryStatus,
  type SlotName,
  type UpdateStatus,
} from '@pitwall/protocol';
import { SerialRpcError, type SerialRpcClient } from '../device-client/serial-rpc-client.js';
import type { OperatorIdentity } from '../identity/operator-key.js';

/** Chunk answers wait for the unit's verifier; the end waits for the install. */
const CALL_MS = 30_000;
const INSTALL_MS = 15 * 60_000;

export interface InstallProgress {
  sent: number;
  total: number;
}

function checked<T>(v: { is(x: unknown): x is T }, what: string, answer: unknown): T {
  if (!v.is(answer)) throw new SerialRpcError('invalid', `the unit's answer to ${what} is not what the protocol says`);
  return answer;
}

/**
 * Recovery mode over USB serial, the companion's side: every call signed by this companion's
 * operator key over a fresh nonce (the unit checks the key is a paired owner or dealer). The
 * install streams the bundle file in chunks, keeping at most the unit's window unanswered: a
 * chunk is answered once the unit's verifier has taken it, so the file is read no faster than
 * the unit verifies it.
 */
export class SerialRecovery {
  constructor(
    private readonly client: SerialRpcClient,
    private readonly operator: OperatorIdentity,
    readonly unitId: string,
  ) {}

  private async auth(method: string) {
    const n = checked(serialNonce, 'recovery.nonce', await this.client.call('recovery.nonce', undefined, CALL_MS));
    const signature = sign(null, Buffer.from(serialCallMessage('recovery', this.unitId, n.nonce, method)), this.operator.privateKey).toString('base64');
    return { certificate: this.operator.certificatePem, nonce: n.nonce, signature };
  }

  private async signed(method: string, params: Record<string, unknown> = {}, timeoutMs = CALL_MS): Promise<unknown> {
    return this.client.call(method, { auth: await this.auth(method), ...params }, timeoutMs);
  }

  async status(): Promise<RecoveryStatus> {
    return checked(recoveryStatus, 'recovery.status', await this.signed('recovery.status'));
  }

  async rollback(slot: SlotName): Promise<RecoveryRollbackResult> {
    return checked(recoveryRollbackResult, 'recovery.rollback', await this.signed('recovery.rollback', { slot }));
  }

  async factoryReset(confirmUnitId: string): Promise<FactoryResetResult> {
    return checked(factoryResetResult, 'recovery.factoryReset', await this.signed('recovery.factoryReset', { confirmUnitId }));
  }

  /** Sends the bundle file; resolves with the unit's update status once it is verified and installed. */
  async install(file: string, onProgress?: (p: InstallProgress) => void): Promise<UpdateStatus> {
    const fh = await open(file, 'r');
    try {
      const total = (await fh.stat()).size;
      const begun = checked(recoveryInstallBegun, 'recovery.install.begin', await this.signed('recovery.install.begin', { size: total }));
      const inFlight = new Set<Promise<unknown>>();
      let failure: Error | null = null;
      let offset = 0;
      while (offset < total && !failure) {
        const buf = Buffer.alloc(Math.min(begun.chunkB, total - offset));
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        if (bytesRead !== buf.length) throw new Error(`${file} changed while it was being sent`);
        const at = offset;
        offset += bytesRead;
        const call: Promise<unknown> = this.client
          .call('recovery.install.chunk', { upload: begun.upload, offset: at, data: buf.toString('base64') }, CALL_MS)
          .then((a) => onProgress?.({ sent: checked(recoveryInstallChunkAck, 'recovery.install.chunk', a).received, total }))
          .catch((err: Error) => void (failure ??= err))
          .finally(() => inFlight.delete(call));
        inFlight.add(call);
        if (inFlight.size >= begun.window) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      if (failure) {
        await this.client.call('recovery.install.abort', { upload: begun.upload }, CALL_MS).catch(() => undefined);
        throw failure;
      }
      return checked(updateStatus, 'recovery.install.end', await this.client.call('recovery.install.end', { upload: begun.upload }, INSTALL_MS));
    } finally {
      await fh.close();
    }
  }
}
