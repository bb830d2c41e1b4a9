import { Type } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { SUPPORT_MAX_S } from '../device-api/support/support-on.js';
import { SupportStatus } from '../device-api/support/support-status.js';

/** Support mode in the UI contract (methods `support:*`): the unit's own answer, passed through. */
export const supportMethods = {
  'support:status': { params: Type.Object({ id: UnitId }, { additionalProperties: false }), result: SupportStatus },
  /** Owner only (the unit refuses anyone else): on for `durationS` (default 60 minutes, at most 8 hours). */
  'support:on': {
    params: Type.Object({ id: UnitId, durationS: Type.Optional(Type.Integer({ minimum: 1, maximum: SUPPORT_MAX_S })) }, { additionalProperties: false }),
    result: SupportStatus,
  },
  'support:off': { params: Type.Object({ id: UnitId }, { additionalProperties: false }), result: SupportStatus },
};
