import type { EventName } from '../contract/wire.js';
import type { Events } from '../contract/contract.js';

export type EventListener = <E extends EventName>(event: E, payload: Events[E]) => void;

/** Fan-out of pushed events to every connected renderer (Electron windows, WebSocket clients). */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // One broken client (closed socket, destroyed window) must not stop the others.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
