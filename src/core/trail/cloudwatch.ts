// The central trail: every audit record shipped to a CloudWatch Logs group/stream in the security account
// (`breakglass.audit.cloudWatchLogGroup`), so the trail outlives the responder's laptop.
//
// The queue on disk IS the audit log: records are durable there before anything is sent, and `<log>.cloudwatch.json`
// remembers the last record CloudWatch accepted (its seq and hash). Whatever is past that cursor is pending — after a
// crash, an endpoint outage or a closed laptop, the next ship() sends it, in order. Records from the CLI land in the
// same shared log, so the extension ships them too (or `breakglass audit ship`).
//
// - Batched within PutLogEvents' limits (10,000 events, 1,048,576 bytes counting 26 bytes per event, 24 h span) and
//   ordered by seq; timestamps are made non-decreasing (CloudWatch requires chronological batches) and the message is
//   the exact audit line, original `ts` and chain fields included, so the central copy can be verified too.
// - Retried with exponential backoff and full jitter (1 s doubling to 5 min) on any failure; a missing stream is
//   created (CreateLogStream) once; the log group itself is provisioned, not created here.
// - Never blocks elevation: notify() only schedules; one process ships at a time (`<log>.cloudwatch.lock`).
// - At-least-once: a crash between PutLogEvents and the cursor write re-sends a batch; readCentralTrail() counts a
//   record once by (stream, seq, prev).
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CreateLogStreamCommand, FilterLogEventsCommand, PutLogEventsCommand, type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { lineHash } from '../audit/chain';
import { acquireFileLock, LockTimeoutError } from '../audit/lock';
import { rotatedFiles, type AuditRecord } from '../audit/log';
import { translateAwsError } from '../aws/errors';
import type { Logger } from '../log';

export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const MAX_SPAN_MS = 23 * 3600_000;

export interface ShipCursor {
  logGroup: string;
  logStream: string;
  lastSeq: number;
  lastHash?: string;
}

export interface ShipperOptions {
  /** The client (or a function that makes one: credentials may need an MFA prompt, so it is made lazily). */
  logs: CloudWatchLogsClient | (() => Promise<CloudWatchLogsClient>);
  logGroup: string;
  /** Default: `breakglass/<host>/<user>` (no ':' or '*', as CloudWatch requires). */
  logStream?: string;
  /** The audit log file (its rotated files are read too). */
  auditFile: string;
  log?: Logger;
  now?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  maxBatchEvents?: number;
  maxBatchBytes?: number;
}

export interface ShipResult {
  sent: number;
  pending: number;
  /** Translated reason of the last failure, when the queue could not be emptied. */
  error?: { code: string; message: string };
  /** Another process is shipping right now. */
  busy?: boolean;
}

export function defaultLogStream(): string {
  let user = 'user';
  try { user = os.userInfo().username; } catch { /* no passwd entry */ }
  return `breakglass/${os.hostname()}/${user}`.replace(/[:*]/g, '_').slice(0, 512);
}

export function cursorFile(auditFile: string): string {
  return `${auditFile}.cloudwatch.json`;
}

interface PendingLine { seq: number; hash: string; text: string; ts: number }

/** Chained lines with seq > afterSeq, in seq order, from the rotated files that can hold them and the current file. */
export async function pendingLines(auditFile: string, afterSeq: number): Promise<PendingLine[]> {
  const rotated = await rotatedFiles(auditFile);
  const files = rotated.filter((f) => Number(/\.(\d{12})\.jsonl$/.exec(f)?.[1] ?? 0) > afterSeq);
  files.push(auditFile);
  const out: PendingLine[] = [];
  const seen = new Set<number>();
  for (const f of files) {
    const text = await fsp.readFile(f, 'utf8').catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return ''; throw e; });
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let r: AuditRecord;
      try { r = JSON.parse(line) as AuditRecord; } catch { continue; }
      if (typeof r.seq !== 'number' || r.seq <= afterSeq || seen.has(r.seq)) continue;
      seen.add(r.seq);
      out.push({ seq: r.seq, hash: lineHash(line), text: line, ts: Date.parse(r.ts) || 0 });
    }
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/** Splits lines into PutLogEvents batches within CloudWatch's limits. */
export function batches(lines: PendingLine[], limits: { events?: number; bytes?: number } = {}): PendingLine[][] {
  const maxEvents = limits.events ?? MAX_BATCH_EVENTS;
  const maxBytes = limits.bytes ?? MAX_BATCH_BYTES;
  const out: PendingLine[][] = [];
  let cur: PendingLine[] = [];
  let bytes = 0;
  for (const l of lines) {
    const size = Buffer.byteLength(l.text) + EVENT_OVERHEAD;
    const span = cur.length ? l.ts - cur[0].ts : 0;
    if (cur.length && (cur.length >= maxEvents || bytes + size > maxBytes || span > MAX_SPAN_MS)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(l);
    bytes += size;
  }
  if (cur.length) out.push(cur);
  return out;
}

export class CloudWatchShipper {
  readonly logStream: string;
  private running: Promise<ShipResult> | undefined;
  private again = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private client: CloudWatchLogsClient | undefined;
  /** The last result, for status displays. */
  last: ShipResult | undefined;

  constructor(private readonly o: ShipperOptions) {
    this.logStream = o.logStream || defaultLogStream();
  }

  /** Schedules a ship as soon as possible; never throws, never waits. */
  notify(): void {
    if (this.disposed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer && this.failures) return; // backing off: the timer will ship
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.ship(); }, 0);
    this.timer.unref?.();
  }

  /** Ships everything pending now (one process at a time). Resolves with what happened; never rejects. */
  ship(): Promise<ShipResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.shipOnce().then((r) => {
      this.running = undefined;
      this.last = r;
      if (r.error) this.scheduleRetry();
      else {
        this.failures = 0;
        if (this.again || r.busy) {
          this.again = false;
          if (r.busy) this.scheduleRetry(true);
          else this.notify();
        }
      }
      return r;
    });
    return this.running;
  }

  private scheduleRetry(busy = false): void {
    if (this.disposed) return;
    if (!busy) this.failures++;
    const base = this.o.baseDelayMs ?? 1000;
    const cap = this.o.maxDelayMs ?? 300_000;
    const delay = busy ? base : Math.floor((this.o.random ?? Math.random)() * Math.min(cap, base * 2 ** (this.failures - 1))) + 1;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.ship(); }, delay);
    this.timer.unref?.();
  }

  /** How many records are waiting to be shipped. */
  async pending(): Promise<number> {
    const c = await this.readCursor();
    return (await pendingLines(this.o.auditFile, c.lastSeq)).length;
  }

  private async readCursor(): Promise<ShipCursor> {
    try {
      const c = JSON.parse(await fsp.readFile(cursorFile(this.o.auditFile), 'utf8')) as ShipCursor;
      if (c.logGroup === this.o.logGroup && c.logStream === this.logStream && typeof c.lastSeq === 'number') return c;
    } catch { /* none yet */ }
    return { logGroup: this.o.logGroup, logStream: this.logStream, lastSeq: 0 };
  }

  private async writeCursor(c: ShipCursor): Promise<void> {
    const file = cursorFile(this.o.auditFile);
    const tmp = `${file}.${process.pid}.tmp`;
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fsp.writeFile(tmp, JSON.stringify(c) + '\n', { mode: 0o600 });
    await fsp.rename(tmp, file);
  }

  private async logsClient(): Promise<CloudWatchLogsClient> {
    if (!this.client) this.client = typeof this.o.logs === 'function' ? await this.o.logs() : this.o.logs;
    return this.client;
  }

  private async shipOnce(): Promise<ShipResult> {
    let release: (() => Promise<void>) | undefined;
    try {
      release = await acquireFileLock(`${this.o.auditFile}.cloudwatch.lock`, { timeoutMs: 0, staleMs: 120_000 });
    } catch (e) {
      if (e instanceof LockTimeoutError) return { sent: 0, pending: -1, busy: true };
      return { sent: 0, pending: -1, error: { code: (e as NodeJS.ErrnoException).code ?? 'Unknown', message: (e as Error).message } };
    }
    let sent = 0;
    let pending: PendingLine[] = [];
    try {
      const cursor = await this.readCursor();
      pending = await pendingLines(this.o.auditFile, cursor.lastSeq);
      if (!pending.length) return { sent: 0, pending: 0 };
      const logs = await this.logsClient();
      const now = (this.o.now ?? Date.now)();
      let lastTs = 0;
      for (const batch of batches(pending, { events: this.o.maxBatchEvents, bytes: this.o.maxBatchBytes })) {
        // Non-decreasing timestamps within CloudWatch's accepted window (14 days back, 2 h ahead).
        const logEvents = batch.map((l) => {
          lastTs = Math.max(lastTs, Math.min(now + 3600_000, Math.max(l.ts, now - 13 * 24 * 3600_000)));
          return { timestamp: lastTs, message: l.text };
        });
        const input = { logGroupName: this.o.logGroup, logStreamName: this.logStream, logEvents };
        let res;
        try {
          res = await logs.send(new PutLogEventsCommand(input));
        } catch (e) {
          if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
          await logs.send(new CreateLogStreamCommand({ logGroupName: this.o.logGroup, logStreamName: this.logStream })).catch((ce: { name?: string }) => {
            if (ce.name !== 'ResourceAlreadyExistsException') throw ce;
          });
          res = await logs.send(new PutLogEventsCommand(input));
        }
        const rej = res.rejectedLogEventsInfo;
        if (rej && (rej.tooOldLogEventEndIndex !== undefined || rej.tooNewLogEventStartIndex !== undefined || rej.expiredLogEventEndIndex !== undefined)) {
          this.o.log?.warn(`central trail: CloudWatch Logs rejected some events of a batch (${JSON.stringify(rej)}); they stay in the local audit log`);
        }
        const tail = batch[batch.length - 1];
        await this.writeCursor({ logGroup: this.o.logGroup, logStream: this.logStream, lastSeq: tail.seq, lastHash: tail.hash });
        sent += batch.length;
      }
      this.o.log?.info(`central trail: shipped ${sent} audit record(s) to ${this.o.logGroup}/${this.logStream}`);
      return { sent, pending: 0 };
    } catch (e) {
      const tr = translateAwsError(e, { operation: 'logs:PutLogEvents' });
      this.o.log?.warn(`central trail: ${pending.length - sent} audit record(s) stay queued (${tr.code}: ${tr.message}); retrying with backoff`);
      return { sent, pending: pending.length - sent, error: { code: tr.code, message: tr.message } };
    } finally {
      await release();
    }
  }

  /** Stops retrying (pending records stay queued on disk). */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export interface CentralTrail {
  records: AuditRecord[];
  /** Messages that were not audit records. */
  unreadable: number;
  /** Records received more than once (a re-sent batch), counted once. */
  duplicates: number;
  streams: string[];
}

/** Reads the central group (every stream) back as audit records, oldest first. */
export async function readCentralTrail(logs: CloudWatchLogsClient, logGroup: string, q: { since?: string; abortSignal?: AbortSignal } = {}): Promise<CentralTrail> {
  const out: CentralTrail = { records: [], unreadable: 0, duplicates: 0, streams: [] };
  const seen = new Set<string>();
  const streams = new Set<string>();
  let nextToken: string | undefined;
  const startTime = q.since ? Date.parse(q.since) : undefined;
  do {
    const res = await logs.send(new FilterLogEventsCommand({ logGroupName: logGroup, ...(startTime ? { startTime } : {}), ...(nextToken ? { nextToken } : {}) }), { abortSignal: q.abortSignal });
    for (const ev of res.events ?? []) {
      let r: AuditRecord;
      try { r = JSON.parse(ev.message ?? '') as AuditRecord; } catch { out.unreadable++; continue; }
      if (!r || typeof r.ts !== 'string' || typeof r.event !== 'string') { out.unreadable++; continue; }
      const key = `${ev.logStreamName}|${r.seq ?? ev.eventId}|${r.prev ?? ''}`;
      if (seen.has(key)) { out.duplicates++; continue; }
      seen.add(key);
      if (ev.logStreamName) streams.add(ev.logStreamName);
      out.records.push(r);
    }
    nextToken = res.nextToken;
  } while (nextToken);
  out.records.sort((a, b) => a.ts.localeCompare(b.ts));
  out.streams = [...streams].sort();
  return out;
}
