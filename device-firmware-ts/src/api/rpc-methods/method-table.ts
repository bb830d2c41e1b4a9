import type { DeviceInfo } from '@pitwall/protocol';
import type { PairingService } from '../../identity/pairing-service.js';
import type { WifiSerialContext } from './wifi-auth.js';

/** What a serial RPC method may use. */
export interface RpcContext {
  info: DeviceInfo;
  /** Pairing and challenge (absent in endpoints built without an identity, e.g. some tests). */
  pairing?: PairingService;
  /** Wi-Fi setup over USB (absent when the unit does not manage Wi-Fi). */
  wifi?: WifiSerialContext;
}

/** Application error codes of the serial protocol (JSON-RPC server-error range). */
export const RpcAppError = {
  /** A pairing or challenge refused; `data.code` is the same code the HTTP API uses (owner-required, revoked, ...). */
  refused: -32001,
  /** The identity key is missing or corrupt. */
  identityUnavailable: -32003,
} as const;

/** A method error with a JSON-RPC code (e.g. invalidParams) and a clear message. */
export class RpcMethodError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export type RpcMethod = (params: unknown, ctx: RpcContext) => unknown | Promise<unknown>;
