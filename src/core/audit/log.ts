// The append-only audit log: JSON Lines, one record per event, ONE file per user shared by the extension and the CLI
// (default ~/.breakglass/audit.jsonl — see defaultAuditPath), tamper-evident through a hash chain (chain.ts).
//
// Durability: the file is opened with O_APPEND|O_DSYNC and kept open while in use (closed after 2 s idle); each record
// is ONE line written with ONE write(2), which returns only once the data is on disk (platforms without O_DSYNC:
// write, then fdatasync). append() resolves after that (survives a crash and power loss); appendNow() returns at once
// with a `durable` promise so the elevation hot path can overlap the write with the STS round trip. All I/O is async.
//
// Several processes (VS Code windows, the CLI) append to the same file: every append runs under a cross-process lock
// (lock.ts, `<log>.lock`). Under the lock the writer checks that its open file is still the file at the path (else it
// was rotated or deleted: reopen), whether another process appended since (then it re-reads the chain head from the
// file's tail) and whether the file ends in a torn fragment left by a process that died mid-write — then the new
// record starts on a fresh line, so the fragment stays one unparseable line and the good record is never glued to it.
// The chain skips fragments: `prev` is the hash of the last VALID record.
//
// Rotation by size: when the file reaches `rotateBytes` (default 16 MiB) it is renamed to
// `<stem>.<last seq, 12 digits>.jsonl` and the next record, the first of the new file, names it in `rotatedFrom`
// and carries its last hash in `prev`. read()/verify() read the rotated files first.
//
// Secrets: records are built from session metadata only (ids, ARNs, tokenHash, access key id — which CloudTrail shows
// anyway). As a second line of defence every serialised line goes through the logger's redaction rules, and
// `justification`/`message` texts are the only free text. MFA codes, secret keys and session tokens are never fields.
import { constants as fsConstants, promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { redact } from '../log';
import { GENESIS, lineHash, verifyAudit, type ChainHead, type VerifyResult } from './chain';
import { sweepOrphans, withFileLock, type FileLockOptions } from './lock';

export type AuditEvent =
  | 'requested'
  | 'granted'
  | 'failed'
  | 'terminal_opened'
  | 'warning'
  | 'expired'
  | 'revoked_local'
  | 'revoked_aws'
  // approvals (issue 12)
  | 'approval_requested'
  | 'approval_decided'
  | 'approval_used'
  | 'approval_released'
  | 'break_glass_override';

export const AUDIT_EVENTS: readonly AuditEvent[] = ['requested', 'granted', 'failed', 'terminal_opened', 'warning', 'expired', 'revoked_local', 'revoked_aws',
  'approval_requested', 'approval_decided', 'approval_used', 'approval_released', 'break_glass_override'];

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
  /** Position in the hash chain (1-based, across rotated files). Set by the writer. */
  seq?: number;
  /** SHA-256 (hex) of the previous record's line. Set by the writer. */
  prev?: string;
  /** On the first record of a file started by rotation: the previous file's name. */
  rotatedFrom?: string;
}

export type AuditInput = Omit<AuditRecord, 'v' | 'ts' | 'seq' | 'prev' | 'rotatedFrom'> & { ts?: string };

/**
 * The one default audit log of a user, for the CLI AND the extension: $BREAKGLASS_AUDIT_LOG, else
 * ~/.breakglass/audit.jsonl (%USERPROFILE%\.breakglass\audit.jsonl on Windows).
 */
export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.BREAKGLASS_AUDIT_LOG || path.join(env.HOME || env.USERPROFILE || os.homedir(), '.breakglass', 'audit.jsonl');
}

export interface ReadResult {
  records: AuditRecord[];
  /** Line numbers (1-based) of the CURRENT file that did not parse — a torn line from a crash, or tampering. */
  skipped: number[];
  /** Every unparseable line, rotated files included. */
  skippedLines?: Array<{ file: string; line: number }>;
}

const C = fsConstants;
/** O_DSYNC where the platform has it (Linux, macOS): each write is durable when it returns. */
const SYNC_FLAG = C.O_DSYNC ?? C.O_SYNC;
const SYNC_ON_WRITE = SYNC_FLAG !== undefined;
const OPEN_FLAGS = C.O_RDWR | C.O_APPEND | C.O_CREAT | (SYNC_FLAG ?? 0);
const DEFAULT_ROTATE_BYTES = 16 * 1024 * 1024;
/** Fixed size of the head file's one line: {"seq":<up to 16 digits>,"hash":"<64 hex>"} padded with spaces. */
const HEAD_BYTES = 128;

export interface PendingAppend {
  /** The record; `seq` and `prev` are filled in once it is written. */
  record: AuditRecord;
  /** Resolves once the line is written and fdatasync'ed (survives power loss); rejects if either fails. */
  durable: Promise<void>;
}

export interface AuditLogOptions {
  source?: string;
  now?: () => number;
  idleCloseMs?: number;
  /** Rotate when the file reaches this size. Default 16 MiB. */
  rotateBytes?: number;
  lock?: FileLockOptions;
  /** Called (not awaited) after each durable append: the central-trail shipper hooks in here. */
  onAppended?: (record: AuditRecord) => void;
}

/** The rotated files of a log, oldest first. */
export async function rotatedFiles(file: string): Promise<string[]> {
  const dir = path.dirname(file);
  const stem = rotationStem(file);
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const re = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d{12})\\.jsonl$`);
  return names.filter((n) => re.test(n)).sort().map((n) => path.join(dir, n));
}

function rotationStem(file: string): string {
  const base = path.basename(file);
  return base.endsWith('.jsonl') ? base.slice(0, -'.jsonl'.length) : base;
}

function rotatedName(file: string, lastSeq: number): string {
  return path.join(path.dirname(file), `${rotationStem(file)}.${String(lastSeq).padStart(12, '0')}.jsonl`);
}

export class AuditLog {
  private fh: fsp.FileHandle | undefined;
  private headFh: fsp.FileHandle | undefined;
  private ino: number | undefined;
  /** Where this process left the end of the file, and the chain head there (valid while the size is unchanged). */
  private known: { end: number; head: ChainHead; fragment: boolean } | undefined;
  /** Appends are chained: one write(2) + fdatasync at a time, in order. */
  private queue: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private dirReady = false;

  constructor(readonly file: string, private readonly defaults: AuditLogOptions = {}) {}

  get lockFile(): string {
    return `${this.file}.lock`;
  }

  get headFile(): string {
    return `${this.file}.head`;
  }

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
    const durable = this.queue.then(async () => {
      if (!this.dirReady) {
        await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
        // Once per instance: private files of processes killed mid-append (never a live one's).
        await sweepOrphans(this.file);
      }
      this.dirReady = true;
      await withFileLock(this.lockFile, () => this.write(record), this.defaults.lock);
    });
    this.queue = durable.catch(() => undefined);
    if (this.defaults.onAppended) {
      const hook = this.defaults.onAppended;
      durable.then(() => hook(record), () => undefined);
    }
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
        await this.ensureOpen();
      } catch (e) {
        await this.close();
        throw e;
      }
      this.armIdleClose();
    });
    this.queue = opened.catch(() => undefined);
    return opened;
  }

  private armIdleClose(): void {
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

  /** Opens the file at the path, or keeps the open one if it still IS the file at the path. */
  private async ensureOpen(): Promise<fsp.FileHandle> {
    if (this.fh) {
      const atPath = await fsp.stat(this.file).catch(() => undefined);
      if (atPath && atPath.ino === this.ino) return this.fh;
      await this.close(); // rotated (by another process) or deleted
    }
    await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    this.fh = await fsp.open(this.file, OPEN_FLAGS, 0o600);
    this.ino = (await this.fh.stat()).ino;
    this.known = undefined;
    return this.fh;
  }

  /** Runs under the lock. */
  private async write(record: AuditRecord): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    try {
      let fh = await this.ensureOpen();
      let { size } = await fh.stat();
      let state = this.known && this.known.end === size ? this.known : await this.scanTail(fh, size);
      let rotatedFrom: string | undefined;
      if (size >= (this.defaults.rotateBytes ?? DEFAULT_ROTATE_BYTES) && state.head.seq > 0) {
        const to = rotatedName(this.file, state.head.seq);
        await fsp.rename(this.file, to);
        await this.writeHead(state.head);
        await this.close();
        fh = await this.ensureOpen();
        size = (await fh.stat()).size;
        rotatedFrom = path.basename(to);
        state = { end: size, head: state.head, fragment: false };
      }
      record.seq = state.head.seq + 1;
      record.prev = state.head.hash;
      if (rotatedFrom) record.rotatedFrom = rotatedFrom;
      const text = redact(JSON.stringify(record));
      const line = Buffer.from(text + '\n');
      // A fragment left by a process that died mid-write: terminate it so this record starts on a fresh line.
      const data = state.fragment ? Buffer.concat([Buffer.from('\n'), line]) : line;
      // One write(2) for the whole line. With O_DSYNC it returns once the data is on disk: write and sync in a single
      // trip to the thread pool, so a busy event loop cannot stretch the gap between the two.
      let off = 0;
      while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
      if (!SYNC_ON_WRITE) await fh.datasync();
      const head = { seq: record.seq, hash: lineHash(text) };
      this.known = { end: size + data.length, head, fragment: false };
      await this.writeHead(head);
    } catch (e) {
      await this.close();
      throw e;
    }
    // Closed when idle, so the descriptor is not held for ever.
    this.armIdleClose();
  }

  /**
   * The newest head, recorded beside the log: rewritten in place (one pwrite of a fixed-size line, no create/rename
   * per append) under the append lock. Not fsynced: after a crash it may lag by the last record, never lead; a torn
   * head does not parse and is ignored.
   */
  private async writeHead(head: ChainHead): Promise<void> {
    if (!this.headFh) this.headFh = await fsp.open(this.headFile, C.O_RDWR | C.O_CREAT, 0o600);
    const buf = Buffer.from(JSON.stringify(head).padEnd(HEAD_BYTES - 1) + '\n');
    await this.headFh.write(buf, 0, buf.length, 0);
  }

  private async readHead(): Promise<ChainHead | undefined> {
    try {
      const h = JSON.parse(await fsp.readFile(this.headFile, 'utf8')) as ChainHead;
      return typeof h.seq === 'number' && typeof h.hash === 'string' ? h : undefined;
    } catch {
      return undefined;
    }
  }

  /** Finds the chain head at the end of the file (the last valid record) and whether the file ends in a fragment. */
  private async scanTail(fh: fsp.FileHandle, size: number): Promise<{ end: number; head: ChainHead; fragment: boolean }> {
    if (size === 0) {
      // A new file: the chain continues from the recorded head (a rotated file), or starts at the genesis.
      const head = (await this.readHead()) ?? { seq: 0, hash: GENESIS };
      return { end: 0, head, fragment: false };
    }
    let chunk = Math.min(size, 64 * 1024);
    for (;;) {
      const buf = Buffer.alloc(chunk);
      await fh.read(buf, 0, chunk, size - chunk);
      const fragment = buf[chunk - 1] !== 0x0a;
      const text = buf.toString('utf8');
      const lines = text.split('\n');
      // The first piece may be a partial line when we did not read from the start.
      const complete = chunk === size ? lines : lines.slice(1);
      complete.pop(); // after the last newline: '' or the fragment
      for (let i = complete.length - 1; i >= 0; i--) {
        const l = complete[i];
        if (!l.trim()) continue;
        let r: AuditRecord | undefined;
        try { r = JSON.parse(l) as AuditRecord; } catch { r = undefined; }
        if (!r || typeof r !== 'object' || typeof r.event !== 'string') continue;
        // A legacy record (before the chain): the chain starts after it at seq 1.
        return { end: size, head: { seq: typeof r.seq === 'number' ? r.seq : 0, hash: lineHash(l) }, fragment };
      }
      if (chunk === size) return { end: size, head: (await this.readHead()) ?? { seq: 0, hash: GENESIS }, fragment };
      chunk = Math.min(size, chunk * 4);
    }
  }

  private async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const fh = this.fh;
    const headFh = this.headFh;
    this.fh = undefined;
    this.headFh = undefined;
    this.known = undefined;
    await Promise.all([fh?.close().catch(() => undefined), headFh?.close().catch(() => undefined)]);
  }

  /** The log's files, oldest first: rotated files, then the current one (if it exists). */
  async files(): Promise<string[]> {
    const rotated = await rotatedFiles(this.file);
    const current = await fsp.stat(this.file).then(() => [this.file], () => [] as string[]);
    return [...rotated, ...current];
  }

  /** Reads every record of every file (rotated ones first), skipping lines that do not parse. No file: empty log. */
  async read(): Promise<ReadResult> {
    const out: ReadResult = { records: [], skipped: [] };
    const skippedLines: Array<{ file: string; line: number }> = [];
    for (const f of await this.files()) {
      const text = await readText(f);
      const r = parseAuditText(text);
      out.records.push(...r.records);
      skippedLines.push(...r.skipped.map((line) => ({ file: path.basename(f), line })));
      if (f === this.file) out.skipped = r.skipped;
    }
    if (skippedLines.length) out.skippedLines = skippedLines;
    return out;
  }

  /** Verifies the hash chain over every file and the recorded head. */
  async verify(): Promise<VerifyResult> {
    const files = [];
    for (const f of await this.files()) files.push({ name: path.basename(f), text: await readText(f) });
    return verifyAudit(files, await this.readHead());
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

function withoutTs(input: AuditInput): Omit<AuditRecord, 'v' | 'ts'> {
  // Chain fields are the writer's: a caller cannot set them (not even through a cast).
  const { ts: _ts, seq: _seq, prev: _prev, rotatedFrom: _rotatedFrom, ...rest } = input as AuditInput & Pick<AuditRecord, 'seq' | 'prev' | 'rotatedFrom'>;
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
