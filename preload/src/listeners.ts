import type { EventName, EventPayload } from '@pitwall/protocol';

/** The contract's event names, checked on receipt so a stray message never reaches a listener. */
export const EVENT_NAMES = ['devices:changed', 'live:fix', 'live:timing', 'live:lap', 'sync:progress', 'logs:tail', 'sessions:progress', 'updates:progress', 'updates:states', 'license:changed', 'hub:progress'] as const satisfies readonly EventName[];

type AnyListener = (payload: unknown) => void;

/** Listener registry shared by both bridges; one throwing listener does not starve the others. */
export class Listeners {
  private readonly byEvent = new Map<EventName, Set<AnyListener>>();

  add<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!(EVENT_NAMES as readonly string[]).includes(event)) throw new TypeError(`unknown event ${String(event)}`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    const l = listener as AnyListener;
    set.add(l);
    return () => void set.delete(l);
  }

  emit(event: unknown, payload: unknown): void {
    if (typeof event !== 'string' || !(EVENT_NAMES as readonly string[]).includes(event)) return;
    for (const l of [...(this.byEvent.get(event as EventName) ?? [])]) {
      try {
        l(payload);
      } catch (err) {
        console.error(`pitwall: ${event} listener failed`, err);
      }
    }
  }
}
