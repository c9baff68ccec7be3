// The live sessions: metadata in a SessionStore, secrets kept apart (memory + the injected SecretStore), and an expiry
// scheduler on an injectable Clock.
//
// Lifecycle events (onDidChange):
//   added     — a new session was granted and registered;
//   restored  — a session came back from the SecretStore after a window reload;
//   warning   — a threshold before expiry was crossed (default 10 and 2 minutes), each emitted once per session;
//   expired   — expiry reached: state 'expired', credentials wiped from memory and from the SecretStore;
//   revoked   — revoked locally (see revoke.ts): state 'revoked', credentials wiped.
// Listeners (the extension) close terminals and stop credential endpoints on 'expired'/'revoked'.
//
// Persistence layout in the SecretStore (which cannot list keys, like VS Code's SecretStorage):
//   breakglass.sessions          → JSON array of session ids
//   breakglass.session.<id>      → JSON { session, credentials }
import { Emitter, type Event } from './emitter';
import { systemClock, type Clock, type SecretStore, type Session, type SessionCredentials } from './types';
import type { Logger } from '../log';

export type SessionChange =
  | { kind: 'added' | 'restored' | 'expired' | 'revoked' | 'removed'; session: Session }
  | { kind: 'warning'; session: Session; thresholdMs: number; remainingMs: number };

export interface SessionStoreOptions {
  clock?: Clock;
  secrets?: SecretStore;
  /** Milliseconds before expiry at which to warn; default 10 min and 2 min. */
  warnBeforeMs?: number[];
  log?: Logger;
}

const INDEX_KEY = 'breakglass.sessions';
const entryKey = (id: string) => `breakglass.session.${id}`;

interface Entry {
  session: Session;
  credentials?: SessionCredentials;
  timer?: unknown;
  warned: Set<number>;
}

export class SessionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly emitter = new Emitter<SessionChange>();
  private readonly clock: Clock;
  private readonly thresholds: number[];
  /** Serialises SecretStore writes so the index never loses an id to a race. */
  private persistQueue: Promise<void> = Promise.resolve();

  readonly onDidChange: Event<SessionChange> = this.emitter.event;

  constructor(private readonly opts: SessionStoreOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.thresholds = [...(opts.warnBeforeMs ?? [10 * 60_000, 2 * 60_000])].filter((t) => t > 0).sort((a, b) => b - a);
  }

  /**
   * Registers a freshly granted session (visible and scheduled immediately, 'added' fired synchronously) and persists
   * it; the returned promise resolves when the SecretStore write is done (it never rejects: failures are logged).
   */
  add(session: Session, credentials: SessionCredentials): Promise<void> {
    const entry: Entry = { session: { ...session }, credentials: { ...credentials }, warned: new Set() };
    this.entries.set(session.id, entry);
    this.emitter.fire({ kind: 'added', session: { ...entry.session } });
    this.evaluate(entry);
    // Persist on the next macrotask, not in the caller's microtask queue: the responder gets the session first.
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.persist(entry));
  }

  get(id: string): Session | undefined {
    const e = this.entries.get(id);
    return e ? { ...e.session } : undefined;
  }

  list(): Session[] {
    return [...this.entries.values()].map((e) => ({ ...e.session }));
  }

  /** Sessions still usable (active or expiring). */
  live(): Session[] {
    return this.list().filter((s) => s.state === 'active' || s.state === 'expiring');
  }

  /** The secret half, while the session is live. */
  credentials(id: string): SessionCredentials | undefined {
    const e = this.entries.get(id);
    return e?.credentials ? { ...e.credentials } : undefined;
  }

  /** Marks a session revoked and wipes its secrets (the local part of revocation). */
  async markRevoked(id: string): Promise<Session | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.session.state === 'revoked' || e.session.state === 'expired') return { ...e.session };
    e.session.state = 'revoked';
    await this.wipe(e);
    this.emitter.fire({ kind: 'revoked', session: { ...e.session } });
    return { ...e.session };
  }

  /** Forgets a session entirely (e.g. "clear ended sessions"). */
  async remove(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    await this.wipe(e);
    this.entries.delete(id);
    await this.enqueue(() => this.writeIndex());
    this.emitter.fire({ kind: 'removed', session: { ...e.session } });
  }

  /**
   * Restores live sessions from the SecretStore after a reload. Expired entries are purged; unreadable ones are
   * dropped with a log line. Returns what happened.
   */
  async restore(): Promise<{ restored: Session[]; purged: number; dropped: number }> {
    const secrets = this.opts.secrets;
    const result = { restored: [] as Session[], purged: 0, dropped: 0 };
    if (!secrets) return result;
    let ids: string[] = [];
    try {
      const raw = await secrets.get(INDEX_KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      ids = Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      this.opts.log?.warn('Break Glass: the stored session index was unreadable and was reset.');
    }
    const now = this.clock.now();
    for (const id of ids) {
      if (this.entries.has(id)) continue;
      let entry: Entry | undefined;
      try {
        const raw = await secrets.get(entryKey(id));
        const parsed = raw ? (JSON.parse(raw) as { session?: Session; credentials?: SessionCredentials }) : undefined;
        if (parsed && isSession(parsed.session) && isCredentials(parsed.credentials)) {
          entry = { session: parsed.session, credentials: parsed.credentials, warned: new Set() };
        }
      } catch {
        entry = undefined;
      }
      if (!entry) {
        result.dropped++;
        this.opts.log?.warn(`Break Glass: dropped a corrupted stored session (${id.slice(0, 8)}…).`);
        await secrets.delete(entryKey(id));
        continue;
      }
      if (Date.parse(entry.session.expiresAt) <= now || entry.session.state === 'revoked' || entry.session.state === 'expired') {
        result.purged++;
        await secrets.delete(entryKey(id));
        continue;
      }
      entry.session.state = 'active';
      this.entries.set(id, entry);
      result.restored.push({ ...entry.session });
    }
    await this.enqueue(() => this.writeIndex());
    for (const s of result.restored) {
      const e = this.entries.get(s.id);
      if (!e) continue;
      this.emitter.fire({ kind: 'restored', session: { ...e.session } });
      this.evaluate(e);
    }
    return result;
  }

  /** Re-evaluates every session against the clock (call after sleep/resume or window focus). */
  tick(): void {
    for (const e of this.entries.values()) this.evaluate(e);
  }

  /** Stops timers; keeps persisted secrets (a reload restores them). */
  dispose(): void {
    for (const e of this.entries.values()) if (e.timer !== undefined) this.clock.clearTimeout(e.timer);
    this.emitter.dispose();
  }

  /** Waits for pending SecretStore writes (tests, shutdown). */
  flush(): Promise<void> {
    return this.persistQueue;
  }

  // --- internals ---

  /**
   * Emits what is due at `now` and schedules the next event. On first evaluation, thresholds already passed are
   * collapsed into one warning (the most urgent), so a restored 3-minutes-left session warns once, not twice.
   */
  private evaluate(e: Entry): void {
    if (e.timer !== undefined) {
      this.clock.clearTimeout(e.timer);
      e.timer = undefined;
    }
    if (e.session.state === 'revoked' || e.session.state === 'expired') return;
    const now = this.clock.now();
    const expiresAt = Date.parse(e.session.expiresAt);
    const remaining = expiresAt - now;
    if (remaining <= 0) {
      e.session.state = 'expired';
      void this.wipe(e);
      this.emitter.fire({ kind: 'expired', session: { ...e.session } });
      return;
    }
    const due = this.thresholds.filter((t) => remaining <= t && !e.warned.has(t));
    if (due.length) {
      due.forEach((t) => e.warned.add(t));
      if (e.session.state === 'active') e.session.state = 'expiring';
      const t = due[due.length - 1];
      this.emitter.fire({ kind: 'warning', session: { ...e.session }, thresholdMs: t, remainingMs: remaining });
    } else if (this.thresholds.length && remaining <= this.thresholds[0] && e.session.state === 'active') {
      e.session.state = 'expiring';
    }
    const next = this.thresholds.filter((t) => !e.warned.has(t) && remaining > t).map((t) => remaining - t);
    const delay = Math.min(remaining, ...next);
    // Timers fire late after a laptop sleeps; evaluate() re-reads the clock, so late is still correct.
    e.timer = this.clock.setTimeout(() => this.evaluate(e), Math.min(Math.max(delay, 0), 2 ** 31 - 1));
  }

  private async wipe(e: Entry): Promise<void> {
    if (e.timer !== undefined) {
      this.clock.clearTimeout(e.timer);
      e.timer = undefined;
    }
    if (e.credentials) {
      // Overwrite before dropping the reference (strings are immutable; this at least drops every reference we hold).
      e.credentials.secretAccessKey = '';
      e.credentials.sessionToken = '';
    }
    e.credentials = undefined;
    const secrets = this.opts.secrets;
    if (secrets) {
      await this.enqueue(async () => {
        await secrets.delete(entryKey(e.session.id));
        await this.writeIndex();
      });
    }
  }

  private async persist(e: Entry): Promise<void> {
    const secrets = this.opts.secrets;
    if (!secrets || !e.credentials) return;
    const value = JSON.stringify({ session: e.session, credentials: e.credentials });
    await this.enqueue(async () => {
      await secrets.store(entryKey(e.session.id), value);
      await this.writeIndex();
    });
  }

  private async writeIndex(): Promise<void> {
    const secrets = this.opts.secrets;
    if (!secrets) return;
    const ids = [...this.entries.values()].filter((x) => x.credentials).map((x) => x.session.id);
    await secrets.store(INDEX_KEY, JSON.stringify(ids));
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const run = this.persistQueue.then(fn, fn);
    this.persistQueue = run.catch((err: unknown) => {
      this.opts.log?.warn(`Break Glass: could not update stored sessions (${(err as Error)?.message ?? err}).`);
    });
    return this.persistQueue;
  }
}

function isSession(s: unknown): s is Session {
  if (typeof s !== 'object' || s === null) return false;
  const o = s as Record<string, unknown>;
  return ['id', 'roleArn', 'incidentId', 'expiresAt', 'issuedAt', 'accessKeyId', 'tokenHash'].every((k) => typeof o[k] === 'string')
    && !Number.isNaN(Date.parse(o.expiresAt as string));
}

function isCredentials(c: unknown): c is SessionCredentials {
  if (typeof c !== 'object' || c === null) return false;
  const o = c as Record<string, unknown>;
  return ['accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration'].every((k) => typeof o[k] === 'string' && o[k] !== '');
}
