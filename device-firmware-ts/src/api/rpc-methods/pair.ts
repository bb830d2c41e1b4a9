import { RpcErrorCode, challengeRequest, serialPairParams, type ChallengeResponse, type PairResult } from '@pitwall/protocol';
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
    return await pairing.pairCertificate(p.operatorCertificate, { name: p.operatorName, role: p.role, via: 'usb' });
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
