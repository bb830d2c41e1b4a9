import { supportStatus, type MethodParams, type MethodResult } from '@pitwall/protocol';
import type { UnitChannels } from '../trust/unit-channel.js';

/** `support:*`: the unit decides (owner only for on) and answers with its support status. */
export function supportHandlers(channels: UnitChannels) {
  return {
    'support:status': async ({ id }: MethodParams<'support:status'>): Promise<MethodResult<'support:status'>> => channels.call(id, { path: '/v1/support' }, supportStatus),
    'support:on': async ({ id, durationS }: MethodParams<'support:on'>): Promise<MethodResult<'support:on'>> =>
      channels.call(id, { method: 'POST', path: '/v1/support/on', body: durationS === undefined ? {} : { durationS }, timeoutMs: 30_000 }, supportStatus),
    'support:off': async ({ id }: MethodParams<'support:off'>): Promise<MethodResult<'support:off'>> =>
      channels.call(id, { method: 'POST', path: '/v1/support/off', body: {}, timeoutMs: 30_000 }, supportStatus),
  };
}
