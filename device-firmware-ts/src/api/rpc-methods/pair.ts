import { RpcErrorCode, challengeRequest, serialPairParams, serialRevokeParams, type ChallengeResponse, type Operator, type PairResult } from '@pitwall/protocol';
import { IdentityError } from '../../identity/pairing-service.js';
import { RpcAppError, RpcMethodError, type RpcContext, type RpcMethod } from './method-table.js';

function service(ctx: RpcContext) {
  if (!ctx.pairing) throw new RpcMethodError(RpcAppError.identityUnavailable, 'this endpoint has no identity service');
  return ctx.pairing;
}

function asRpcError(err: unknown): never {
  if (err instanceof IdentityError) {
    const code = err.code === 'identity-unavailable' ? RpcAppError.identityUnavailable : err.code === 'bad-certificate' ? RpcErrorCode.invalidParams : RpcAppError.refused;
    throw new RpcMethodError(code, err.message, { code: err.code });
  }
  throw err;
}

function validParams<T>(v: { parse(x: unknown): T }, params: unknown, method: string): T {
  try {
    return v.parse(params);
  } catch (err) {
    throw new RpcMethodError(RpcErrorCode.invalidParams, `invalid params for ${method}: ${(err as Error).message}`.slice(0, 500));
  }
}

/** Pairing over USB: physical presence is the authorisation; the operator certificate travels in the call. */
export const pair: RpcMethod = async (params, ctx): Promise<PairResult> => {
  const pairing = service(ctx);
  const p = validParams(serialPairParams, params, 'pair');
  try {
    const out = await pairing.pairCertificate(p.operatorCertificate, { name: p.operatorName, role: p.role, via: 'usb', source: 'usb' });
    // USB never waits for an approval; a pending answer here would be a bug.
    if ('pending' in out) throw new Error('a USB pairing was left pending');
    return out;
  } catch (err) {
    return asRpcError(err);
  }
};

/** Proof that the unit holds its identity key: a signature over challengeMessage(unitId, nonce). */
export const challenge: RpcMethod = (params, ctx): ChallengeResponse => {
  const pairing = service(ctx);
  const p = validParams(challengeRequest, params, 'challenge');
  try {
    return { signature: pairing.challenge(p.nonce) };
  } catch (err) {
    return asRpcError(err);
  }
};

/** Revocation over USB: physical presence may revoke any operator, an owner (the last one included) too. */
export const revoke: RpcMethod = async (params, ctx): Promise<Operator> => {
  const pairing = service(ctx);
  const p = validParams(serialRevokeParams, params, 'revoke');
  try {
    return await pairing.revoke(p.fingerprint, 'USB (physical presence)', 'usb');
  } catch (err) {
    return asRpcError(err);
  }
};
