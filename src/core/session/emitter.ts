// A tiny typed event emitter with VS Code's Event shape (`event(listener) → { dispose }`), so the extension can pass
// core events straight to anything expecting a vscode.Event without core importing vscode.

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> {
  private listeners = new Set<(e: T) => void>();

  /** Subscribe; the returned Disposable unsubscribes. */
  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Delivers to every listener; a throwing listener does not stop the others. */
  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // Listener errors are the listener's business; the session lifecycle must go on.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
