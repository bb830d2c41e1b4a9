import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { UnitId } from '../device-api/unit-id.js';
import { Fingerprint } from './fingerprint.js';
import { Role } from './role.js';

const OperatorName = Type.String({ minLength: 1, maxLength: 63 });
const Pem = Type.String({ minLength: 64, maxLength: 8192, pattern: '^-----BEGIN [A-Z ]+-----' });

/**
 * POST /v1/pairing over the network, accepted only inside the pairing window opened by the
 * unit's button. The operator is the client certificate presented in the TLS handshake.
 */
export const NetworkPairRequest = Type.Object({ operatorName: OperatorName, role: Role }, { additionalProperties: false });
export type NetworkPairRequest = Static<typeof NetworkPairRequest>;

/** Params of the serial `pair` method (physical presence over USB): the certificate travels in the call. */
export const SerialPairParams = Type.Object(
  { operatorName: OperatorName, role: Role, operatorCertificate: Pem },
  { additionalProperties: false },
);
export type SerialPairParams = Static<typeof SerialPairParams>;
export const serialPairParams = validator('SerialPairParams', SerialPairParams);

/** What the unit answers to a successful pairing, either way. */
export const PairResult = Type.Object(
  {
    unitId: UnitId,
    unitFingerprint: Fingerprint,
    /** The unit's TLS certificate (its key is the identity key), PEM. */
    unitCertificate: Pem,
    operatorFingerprint: Fingerprint,
    role: Role,
  },
  { additionalProperties: false },
);
export type PairResult = Static<typeof PairResult>;
export const pairResult = validator('PairResult', PairResult);

/** GET /v1/pairing: whether network pairing is open now. Public, like /v1/info. */
export const PairingWindow = Type.Object(
  { open: Type.Boolean(), closesInS: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]) },
  { additionalProperties: false },
);
export type PairingWindow = Static<typeof PairingWindow>;
export const pairingWindow = validator('PairingWindow', PairingWindow);
