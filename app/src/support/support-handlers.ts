import { Routes, type MethodParams, type MethodResult } from '@pitwall/protocol';
import type { UnitChannels } from '../trust/unit-channel.js';

/** `support:*`: the unit decides (owner only for on) and answers with its support status. */
export function supportHandlers(channels: UnitChannels) {
  return {
    'support:status': async ({ id }: MethodParams<'support:status'>): Promise<MethodResult<'support:status'>> => channels.callRoute(id, Routes.supportStatus),
    'support:on': async ({ id, durationS }: MethodParams<'support:on'>): Promise<MethodResult<'support:on'>> =>
      channels.callRoute(id, Routes.supportOn, { body: durationS === undefined ? {} : { durationS } }, { timeoutMs: 30_000 }),
    'support:off': async ({ id }: MethodParams<'support:off'>): Promise<MethodResult<'support:off'>> =>
      channels.callRoute(id, Routes.supportOff, {}, { timeoutMs: 30_000 }),
  };
}
