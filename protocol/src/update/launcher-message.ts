import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/**
 * What a runtime tells its launcher (pitwall-boot) over the Node IPC channel the launcher opens:
 * it is up (and where its API answers), it is alive (the watchdog's beat, with what the health
 * gate needs to know of the GNSS receiver), or it asks for a reboot into the slot an update wrote.
 */
export const RuntimeToLauncher = Type.Union([
  Type.Object({ type: Type.Literal('ready'), apiUrl: Type.String({ maxLength: 200, pattern: '^https?://' }) }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('beat'),
      gnss: Type.Object({ attached: Type.Boolean(), fixes: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('reboot') }, { additionalProperties: false }),
]);
export type RuntimeToLauncher = Static<typeof RuntimeToLauncher>;
export const runtimeToLauncher = validator('RuntimeToLauncher', RuntimeToLauncher);
