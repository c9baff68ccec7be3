// The append-only audit log: JSON Lines, one record per event, shared by the extension and the CLI.
//
// Durability: the file is opened with O_APPEND|O_DSYNC and kept open while in use (closed after 2 s idle); each record
// is ONE line written with ONE write(2), which returns only once the data is on disk (platforms without O_DSYNC:
// write, then fdatasync). append() resolves after that (survives a crash and power loss); appendNow() returns at once
// with a `durable` promise so the elevation hot path can overlap the write with the STS round trip. All I/O is async.
// If a process dies mid-write the last line may be torn: readers skip a line that does not parse (and report it), and
// every open checks the last byte and starts on a fresh line — a torn tail never corrupts the following record.
//
// Secrets: records are built from session metadata only (ids, ARNs, tokenHash, access key id — which CloudTrail shows
// anyway). As a second line of defence every serialised line goes through the logger's redaction rules, and
// `justification`/`message` texts are the only free text. MFA codes, secret keys and session tokens are never fields.
import { constants as fsConstants, promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { redact } from '../log';

export type AuditEvent =
  | 'requested'
  | 'granted'
  | 'failed'
  | 'terminal_opened'
  | 'warning'
  | 'expired'
  | 'revoked_local'
  | 'revoked_aws';

export const AUDIT_EVENTS: readonly AuditEvent[] = ['requested', 'granted', 'failed', 'terminal_opened', 'warning', 'expired', 'revoked_local', 'revoked_aws'];

export interface AuditRecord {
  /** Record format version. */
  v: 1;
  /** ISO 8601 UTC. */
  ts: string;
  event: AuditEvent;
  sessionId?: string;
  incidentId?: string;
  roleArn?: string;
  accountId?: string;
  playbook?: string;
  requester?: string;
  /** The RoleSessionName sent to AWS: what CloudTrail shows for every call of the session. */
  roleSessionName?: string;
  /** SHA-256 prefix of the session token (never the token). */
  tokenHash?: string;
  accessKeyId?: string;
  expiresAt?: string;
  durationSeconds?: number;
  justification?: string;
  /** For 'failed' (and a failed 'revoked_aws'): translated error code and message. */
  reason?: { code: string; message: string };
  /** 'vscode' or 'cli'. */
  source?: string;
  /** Extra non-secret facts: revokedBefore, remainingSeconds, delivery, ... */
  details?: Record<string, string | number | boolean>;
}

export type AuditInput = Omit<AuditRecord, 'v' | 'ts'> & { ts?: string };

/** Default path for the CLI: $BREAKGLASS_AUDIT_LOG, else ~/.breakglass/audit.jsonl. */
export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.BREAKGLASS_AUDIT_LOG || path.join(env.HOME || os.homedir(), '.breakglass', 'audit.jsonl');
}

export interface ReadResult {
  records: AuditRecord[];
  /** Line numbers (1-based) that did not parse — a torn line from a crash, or tampering. */
  skipped: number[];
}

const C = fsConstants;
/** O_DSYNC where the platform has it (Linux, macOS): each write is durable when it returns. */
const SYNC_FLAG = C.O_DSYNC ?? C.O_SYNC;
const SYNC_ON_WRITE = SYNC_FLAG !== undefined;
const OPEN_FLAGS = C.O_RDWR | C.O_APPEND | C.O_CREAT | (SYNC_FLAG ?? 0);

export interface PendingAppend {
  record: AuditRecord;
  /** Resolves once the line is written and fdatasync'ed (survives power loss); rejects if either fails. */
  durable: Promise<void>;
}

export class AuditLog {
  private fh: fsp.FileHandle | undefined;
  /** Appends are chained: one write(2) + fdatasync at a time, in order. */
  private queue: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly file: string, private readonly defaults: { source?: string; now?: () => number; idleCloseMs?: number } = {}) {}

  /** Appends one record and resolves once it is durable (written and fsynced). */
  async append(input: AuditInput): Promise<AuditRecord> {
    const p = this.appendNow(input);
    await p.durable;
    return p.record;
  }

  /**
   * Queues one record and returns at once; `durable` resolves when the line is written and synced. All I/O runs off
   * the event loop (no sync I/O: the extension host must never block on a slow disk), so the elevation hot path can
   * overlap it with the STS round trip.
   */
  appendNow(input: AuditInput): PendingAppend {
    const record: AuditRecord = { v: 1, ts: input.ts ?? new Date((this.defaults.now ?? Date.now)()).toISOString(), ...withoutTs(input) };
    if (this.defaults.source && !record.source) record.source = this.defaults.source;
    const line = Buffer.from(redact(JSON.stringify(record)) + '\n');
    const durable = this.queue.then(() => this.write(line));
    this.queue = durable.catch(() => undefined);
    return { record, durable };
  }

  /**
   * Checks that records can be appended: creates the folder and opens the file for appending (through the write
   * queue, after what is queued). Rejects with the file system's error. The elevation calls it before an MFA code can
   * be typed, so a code is never spent on a session that could not be audited.
   */
  ensureWritable(): Promise<void> {
    const opened = this.queue.then(async () => {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      try {
        if (!this.fh) await this.open();
      } catch (e) {
        await this.close();
        throw e;
      }
      this.armIdleClose();
    });
    this.queue = opened.catch(() => undefined);
    return opened;
  }

  /** The file ended without a newline when opened: the next record starts with one. */
  private tornTail = false;

  private async open(): Promise<void> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    this.fh = await fsp.open(this.file, OPEN_FLAGS, 0o600);
    // Once per open: a torn last line (a crash mid-write) is terminated so it stays one unparseable line and the next
    // record starts on a fresh line.
    const { size } = await this.fh.stat();
    this.tornTail = false;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await this.fh.read(last, 0, 1, size - 1);
      this.tornTail = last[0] !== 0x0a;
    }
  }

  private armIdleClose(): void {
    // Closed when idle, so a rotated or deleted log file is picked up again (and another process's torn line is
    // noticed on the next open).
    this.idleTimer = setTimeout(() => { this.queue = this.queue.then(() => this.close()); }, this.defaults.idleCloseMs ?? 2000);
    this.idleTimer.unref();
  }

  /** Resolves when every record queued so far is written and synced (or failed). */
  flush(): Promise<void> {
    return this.queue;
  }

  /** Flushes and closes the file (it is reopened on the next append). */
  async dispose(): Promise<void> {
    await this.flush();
    await this.close();
  }

  private async write(line: Buffer): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    try {
      if (!this.fh) await this.open();
      const data = this.tornTail ? Buffer.concat([Buffer.from('\n'), line]) : line;
      // One write(2) for the whole line. With O_DSYNC it returns once the data is on disk: write and sync in a single
      // trip to the thread pool, so a busy event loop cannot stretch the gap between the two.
      let off = 0;
      while (off < data.length) off += (await this.fh!.write(data, off, data.length - off)).bytesWritten;
      this.tornTail = false;
      if (!SYNC_ON_WRITE) await this.fh!.datasync();
    } catch (e) {
      await this.close();
      throw e;
    }
    this.armIdleClose();
  }

  private async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }

  /** Reads every record, skipping lines that do not parse. A missing file is an empty log. */
  async read(): Promise<ReadResult> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: [] };
      throw e;
    }
    return parseAuditText(text);
  }
}

function withoutTs(input: AuditInput): Omit<AuditRecord, 'v' | 'ts'> {
  const { ts: _ts, ...rest } = input;
  return rest;
}

export function parseAuditText(text: string): ReadResult {
  const records: AuditRecord[] = [];
  const skipped: number[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const r = JSON.parse(line) as AuditRecord;
      if (r && typeof r === 'object' && typeof r.ts === 'string' && AUDIT_EVENTS.includes(r.event)) records.push(r);
      else skipped.push(i + 1);
    } catch {
      skipped.push(i + 1);
    }
  });
  return { records, skipped };
}
