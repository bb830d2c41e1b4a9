import { join } from 'node:path';
import { openPtyPair, type PtyPair } from '../pty-pair.js';
import type { UsbGadget } from '../usb-gadget.js';

/**
 * In sim the gadget is a pty pair: the unit opens one end, the companion the other
 * (`hostPath`, the "USB cable" end, which stands for the /dev/ttyACM* a laptop would see).
 */
export function simUsbGadget(runDir: string, hostPath: string): UsbGadget {
  let pair: PtyPair | null = null;
  return {
    kind: 'sim',
    async start() {
      pair = await openPtyPair(join(runDir, 'ttyGS0'), hostPath);
      return { devicePath: pair.a, hostPath: pair.b };
    },
    async stop() {
      await pair?.close();
      pair = null;
    },
  };
}
