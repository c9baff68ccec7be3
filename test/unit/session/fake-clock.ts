// A deterministic Clock for expiry tests: time only moves when advance() is called, firing due timers in order.
import type { Clock } from '../../../src/core/session/types';

export class FakeClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private seq = 0;

  constructor(public t = Date.parse('2024-05-01T12:00:00Z')) {}

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward, running every timer that falls due (including ones scheduled by fired timers). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
}
