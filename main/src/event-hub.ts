import type { EventName, EventPayload, EventSink } from '@pitwall/protocol';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** Fans the companion core's events out to every transport (browser host, Electron windows). */
export interface EventHub {
  readonly sink: EventSink;
  subscribe(listener: EventListener): () => void;
}

export function createEventHub(onListenerError?: (err: unknown) => void): EventHub {
  const listeners = new Set<EventListener>();
  return {
    sink: (event, payload) => {
      for (const l of [...listeners]) {
        try {
          l(event, payload);
        } catch (err) {
          onListenerError?.(err);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
