/** The USB CDC-ACM gadget port: the unit serves its framed protocol on `devicePath`. */
export interface UsbGadget {
  readonly kind: 'real' | 'sim';
  start(): Promise<{ devicePath: string; hostPath: string | null }>;
  stop(): Promise<void>;
}

export function realUsbGadget(devicePath: string): UsbGadget {
  return { kind: 'real', start: async () => ({ devicePath, hostPath: null }), stop: async () => {} };
}
