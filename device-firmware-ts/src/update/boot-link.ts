import type { RuntimeToLauncher, SlotName } from '@pitwall/protocol/update';

export interface LauncherLink {
  /** The slot the launcher booted this runtime from. */
  readonly slot: SlotName;
  /** True while this boot is a new slot's trial. */
  readonly trial: boolean;
  /** Asks the launcher to reboot into whatever the boot record now says (after an update's install). */
  requestReboot(): void;
  stop(): void;
}

export interface LinkOptions {
  /** Where the runtime's API answers on loopback (the health gate's probe). */
  apiUrl: string;
  /** Whether a GNSS receiver is attached, and how many fixes it has given so far. */
  gnss: () => { attached: boolean; fixes: number };
  beatMs?: number;
}

const send = (m: RuntimeToLauncher) => {
  if (process.connected) process.send!(m);
};

/** Says ready, then beats on a main-thread timer (a blocked event loop stops the beats); returns the stop. */
function startBeats(o: LinkOptions): () => void {
  send({ type: 'ready', apiUrl: o.apiUrl });
  const beat = () => send({ type: 'beat', gnss: o.gnss() });
  beat();
  const timer = setInterval(beat, o.beatMs ?? 1000);
  // The IPC channel must not keep a process alive that is otherwise done.
  timer.unref();
  process.channel?.unref();
  return () => clearInterval(timer);
}

/**
 * The runtime's side of pitwall-boot: when started by the launcher (an IPC channel and
 * PITWALL_SLOT), says ready, then beats, so a blocked event loop stops the beats and the
 * launcher's watchdog kills the runtime. Null when not under the launcher.
 */
export function linkToLauncher(o: LinkOptions): LauncherLink | null {
  const slot = process.env.PITWALL_SLOT;
  if (!process.send || (slot !== 'A' && slot !== 'B')) return null;
  const stop = startBeats(o);
  return {
    slot,
    trial: process.env.PITWALL_TRIAL === '1',
    requestReboot: () => send({ type: 'reboot' }),
    stop,
  };
}

/** Recovery mode's side of pitwall-boot (PITWALL_RECOVERY=1): the same ready and beats, so a hung recovery is restarted. */
export function recoveryLinkToLauncher(o: LinkOptions): { stop(): void } | null {
  if (!process.send || process.env.PITWALL_RECOVERY !== '1') return null;
  return { stop: startBeats(o) };
}
