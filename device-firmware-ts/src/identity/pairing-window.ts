import type { PairingWindow as PairingWindowT } from '@pitwall/protocol';

export interface PairingWindow {
  /** Opens (or re-opens for the full duration) the window. */
  open(): void;
  close(reason: string): void;
  isOpen(): boolean;
  /**
   * Takes the window for one pairing: true (and the window closed) if it was open, false if
   * not. Synchronous, so of any number of requests racing one press exactly one gets true.
   */
  claim(reason: string): boolean;
  state(): PairingWindowT;
  dispose(): void;
}

/** The link-button window: network pairing is accepted only while it is open. */
export function createPairingWindow(durationS: number, hooks: { onOpen(): void; onClose(reason: string): void }): PairingWindow {
  let closesAt: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  const close = (reason: string) => {
    if (closesAt === null) return;
    closesAt = null;
    if (timer) clearTimeout(timer);
    timer = null;
    hooks.onClose(reason);
  };
  return {
    open() {
      if (timer) clearTimeout(timer);
      closesAt = Date.now() + durationS * 1000;
      timer = setTimeout(() => close(`expired after ${durationS} s`), durationS * 1000);
      timer.unref();
      hooks.onOpen();
    },
    close,
    isOpen: () => closesAt !== null && Date.now() < closesAt,
    claim(reason) {
      if (closesAt === null || Date.now() >= closesAt) return false;
      close(reason);
      return true;
    },
    state() {
      if (closesAt === null || Date.now() >= closesAt) return { open: false, closesInS: null };
      return { open: true, closesInS: Math.max(0, Math.round((closesAt - Date.now()) / 100) / 10) };
    },
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
      closesAt = null;
    },
  };
}
