import {
  RECOVERY_CHUNK_B,
  RECOVERY_INSTALL_WINDOW,
  RpcErrorCode,
  recoveryInstallBeginParams,
  recoveryInstallChunkParams,
  recoveryInstallUploadParams,
  recoverySerialFactoryResetParams,
  recoverySerialRollbackParams,
  recoverySerialStatusParams,
  type DeviceInfo,
  type RecoveryInstallBegun,
  type RecoveryInstallChunkAck,
  type SerialOperatorAuth,
} from '@pitwall/protocol';
import type { AuditLog } from '../identity/audit-log.js';
import { hello } from '../api/rpc-methods/hello.js';
import { info } from '../api/rpc-methods/info.js';
import { RpcAppError, RpcMethodError, type RpcMethod } from '../api/rpc-methods/method-table.js';
import { operatorSignatureGate, SerialAuthRefused } from '../api/rpc-methods/operator-signature.js';
import type { BundleOutcome, BundleReceiver } from '../update/bundle-receiver.js';
import type { RecoveryActions, RecoveryCaller } from './recovery-actions.js';
import { RecoveryRefusal } from './recovery-rollback.js';
import { SerialBundleUpload } from './serial-bundle-upload.js';

export interface RecoverySerialDeps {
  info: DeviceInfo;
  actions: RecoveryActions;
  audit: AuditLog;
  /** The install (the same receiver as the HTTPS route: one bundle at a time); absent, no install. */
  install?: BundleReceiver;
}

const NEEDS = 'recovery over USB needs a paired owner or dealer signing a nonce from recovery.nonce';

/** A refusal as the serial protocol carries it: the HTTP API's code in `data.code`. */
const refused = (code: string, message: string, status?: number) => new RpcMethodError(status === 400 ? RpcErrorCode.invalidParams : RpcAppError.refused, message, { code, ...(status ? { status } : {}) });

function parse<T>(v: { parse(x: unknown): T }, params: unknown, method: string): T {
  try {
    return v.parse(params ?? {});
  } catch (err) {
    throw new RpcMethodError(RpcErrorCode.invalidParams, `invalid params for ${method}: ${(err as Error).message}`.slice(0, 400));
  }
}

const outcomeError = (o: Extract<BundleOutcome, { ok: false }>) => refused(o.code, o.message, o.httpStatus);

/**
 * Recovery mode's serial methods: `hello` and `info` (how the companion finds the unit), then the
 * recovery actions for a paired owner or dealer proven by a signed nonce, the same handlers the
 * HTTPS routes call. The install streams its chunks into the same bundle receiver.
 */
export function recoverySerialMethods(d: RecoverySerialDeps): ReadonlyMap<string, RpcMethod> {
  const gate = operatorSignatureGate({
    scope: 'recovery',
    operators: d.actions.operators,
    audit: d.audit,
    unitId: d.info.id,
    needs: NEEDS,
    roleRefusal: (role) => `role ${role} may not recover the unit (owner or dealer only)`,
  });
  const who = (auth: SerialOperatorAuth, method: string): RecoveryCaller => ({ operator: gate.authorize(auth, method, 'recovery'), via: 'usb' });
  /** Runs `body` with its refusals in the serial protocol's shape. */
  const guarded =
    <T>(method: string, v: { parse(x: unknown): T }, body: (p: T) => Promise<unknown>): RpcMethod =>
    async (params) => {
      const p = parse(v, params, method);
      try {
        return await body(p);
      } catch (err) {
        if (err instanceof SerialAuthRefused) throw refused(err.code, err.message, err.code === 'unauthorized' ? 401 : 403);
        if (err instanceof RecoveryRefusal) throw refused(err.code, err.message, err.status);
        throw err;
      }
    };
  let upload: SerialBundleUpload | null = null;
  const current = (id: string): SerialBundleUpload => {
    if (!upload || upload.id !== id) throw refused('no-upload', `no install ${id} is open over USB: begin one with recovery.install.begin`, 409);
    return upload;
  };

  const methods = new Map<string, RpcMethod>([
    ['hello', hello],
    ['info', info],
    ['recovery.nonce', () => gate.nonce()],
    ['recovery.status', guarded('recovery.status', recoverySerialStatusParams, async (p) => (who(p.auth, 'recovery.status'), d.actions.status()))],
    ['recovery.rollback', guarded('recovery.rollback', recoverySerialRollbackParams, (p) => d.actions.rollback(p.slot, who(p.auth, 'recovery.rollback')))],
    ['recovery.factoryReset', guarded('recovery.factoryReset', recoverySerialFactoryResetParams, (p) => d.actions.factoryReset(p.confirmUnitId, who(p.auth, 'recovery.factoryReset')))],
  ]);
  const receiver = d.install;
  if (!receiver) return methods;

  methods.set(
    'recovery.install.begin',
    guarded('recovery.install.begin', recoveryInstallBeginParams, async (p): Promise<RecoveryInstallBegun> => {
      const caller = who(p.auth, 'recovery.install.begin');
      if (receiver.busy) throw refused('update-busy', 'another bundle is being installed on this unit; wait for it to finish', 409);
      upload?.abort('a new install began');
      upload = new SerialBundleUpload(p.size, receiver, { operatorFingerprint: caller.operator?.fingerprint ?? null, role: caller.operator?.role ?? null, via: 'usb' });
      return { upload: upload.id, chunkB: RECOVERY_CHUNK_B, window: RECOVERY_INSTALL_WINDOW };
    }),
  );
  methods.set(
    'recovery.install.chunk',
    guarded('recovery.install.chunk', recoveryInstallChunkParams, async (p): Promise<RecoveryInstallChunkAck> => {
      const u = current(p.upload);
      const bytes = Buffer.from(p.data, 'base64');
      if (bytes.length > RECOVERY_CHUNK_B) throw refused('bad-request', `a chunk holds at most ${RECOVERY_CHUNK_B} bytes`, 400);
      const received = await u.chunk(p.offset, bytes);
      const done = u.done;
      if (done && !done.ok) throw outcomeError(done);
      return { received };
    }),
  );
  methods.set(
    'recovery.install.end',
    guarded('recovery.install.end', recoveryInstallUploadParams, async (p) => {
      const u = current(p.upload);
      if (!u.done && u.received < u.size) u.abort(`ended after ${u.received} of ${u.size} bytes`);
      const out = await u.outcome;
      upload = null;
      if (!out.ok) throw outcomeError(out);
      return out.status;
    }),
  );
  methods.set(
    'recovery.install.abort',
    guarded('recovery.install.abort', recoveryInstallUploadParams, async (p) => {
      const u = current(p.upload);
      u.abort('the sender gave up');
      await u.outcome;
      upload = null;
      return { aborted: p.upload };
    }),
  );
  return methods;
}
