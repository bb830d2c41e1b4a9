import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { SlotName } from '../update/boot-record.js';
import { FactoryResetRequest } from '../device-api/recovery/factory-reset.js';
import { SerialOperatorAuth } from './operator-auth.js';

/**
 * Recovery mode over the USB serial port: the same actions as the recovery routes of the HTTPS
 * table (`recovery.status`, `recovery.rollback`, `recovery.factoryReset`, and a bundle install in
 * chunks), each for a paired owner or dealer who signs a fresh nonce from `recovery.nonce`
 * (serialCallMessage('recovery', ...)); refusals carry the HTTP API's code in `error.data.code`.
 *
 * Install: `recovery.install.begin {auth, size}` opens an upload; `recovery.install.chunk {upload,
 * offset, data}` sends the bundle's bytes in order (base64, at most RECOVERY_CHUNK_B each); a chunk
 * is answered once the unit's verifier has taken it, so keeping at most `window` chunks
 * unanswered is the flow control; `recovery.install.end {upload}` answers the UpdateStatus once the
 * bundle is verified and installed, or the refusal. A refused bundle also fails every later chunk.
 */
// Small enough that a chunk's frame (base64 and JSON around it) stays under 4 KiB: larger frames
// stalled now and then across the sim's socat pseudo-terminal pair (the rest of a frame held back).
export const RECOVERY_CHUNK_B = 2048;
/** Chunks a sender keeps unanswered at most. */
export const RECOVERY_INSTALL_WINDOW = 4;
/** Largest bundle announced over serial (the slot's own capacity is checked as it streams). */
export const RECOVERY_SERIAL_MAX_BUNDLE_B = 4 * 1024 * 1024 * 1024;

const UploadId = Type.String({ pattern: '^[0-9a-f]{32}$' });
const object = <T extends Parameters<typeof Type.Object>[0]>(props: T) => Type.Object(props, { additionalProperties: false });

export const RecoverySerialStatusParams = object({ auth: SerialOperatorAuth });
export const recoverySerialStatusParams = validator('RecoverySerialStatusParams', RecoverySerialStatusParams);

export const RecoverySerialRollbackParams = object({ auth: SerialOperatorAuth, slot: SlotName });
export const recoverySerialRollbackParams = validator('RecoverySerialRollbackParams', RecoverySerialRollbackParams);

export const RecoverySerialFactoryResetParams = object({ auth: SerialOperatorAuth, confirmUnitId: FactoryResetRequest.properties.confirmUnitId });
export const recoverySerialFactoryResetParams = validator('RecoverySerialFactoryResetParams', RecoverySerialFactoryResetParams);

export const RecoveryInstallBeginParams = object({ auth: SerialOperatorAuth, size: Type.Integer({ minimum: 1, maximum: RECOVERY_SERIAL_MAX_BUNDLE_B }) });
export const recoveryInstallBeginParams = validator('RecoveryInstallBeginParams', RecoveryInstallBeginParams);

export const RecoveryInstallBegun = object({ upload: UploadId, chunkB: Type.Integer({ minimum: 1 }), window: Type.Integer({ minimum: 1 }) });
export type RecoveryInstallBegun = Static<typeof RecoveryInstallBegun>;
export const recoveryInstallBegun = validator('RecoveryInstallBegun', RecoveryInstallBegun);

export const RecoveryInstallChunkParams = object({
  upload: UploadId,
  offset: Type.Integer({ minimum: 0 }),
  data: Type.String({ minLength: 1, maxLength: Math.ceil(RECOVERY_CHUNK_B / 3) * 4, pattern: '^[A-Za-z0-9+/]+={0,2}$' }),
});
export const recoveryInstallChunkParams = validator('RecoveryInstallChunkParams', RecoveryInstallChunkParams);

/** A chunk taken: the bytes the unit has of the bundle so far. */
export const RecoveryInstallChunkAck = object({ received: Type.Integer({ minimum: 0 }) });
export type RecoveryInstallChunkAck = Static<typeof RecoveryInstallChunkAck>;
export const recoveryInstallChunkAck = validator('RecoveryInstallChunkAck', RecoveryInstallChunkAck);

export const RecoveryInstallUploadParams = object({ upload: UploadId });
export const recoveryInstallUploadParams = validator('RecoveryInstallUploadParams', RecoveryInstallUploadParams);
