// A cross-process lock around audit-log appends, in plain Node (no native module): an O_EXCL lock file.
//
// The lock file appears atomically with its content (written aside, then link(2)ed into place).
//
// Why not `proper-lockfile` (npm)? It locks with mkdir and decides staleness only by mtime, refreshed by a timer
// (default: stale after 10 s). Our critical section lasts a few milliseconds, so we can do better with facts we have:
// the lock file names its holder's pid and host, and a holder that is gone (SIGKILL, crash, power loss) is detected at
// once with kill(pid, 0) instead of after a 10 s wait; a lock older than `staleMs` (default 30 s — no append holds it
// that long) is stale too, which covers pid reuse and a holder on another host (a network home directory).
//
// Breaking a stale lock is itself serialised through a second O_EXCL file (`<lock>.break`), and the lock is removed
// only if it still holds the content that was judged stale — so two processes that both see the same dead holder
// cannot delete each other's fresh lock. A `.break` file older than 2 s (its holder died within those microseconds) is
// removed by the next process.
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomBytes } from 'crypto';

export interface FileLockOptions {
  /** Give up after this long, with an error naming the holder. Default 10 s. */
  timeoutMs?: number;
  /** A lock older than this is stale whoever holds it. Default 30 s. */
  staleMs?: number;
  /** Whether a pid on this host is alive. Default: process.kill(pid, 0). */
  isAlive?: (pid: number) => boolean;
}

export class LockTimeoutError extends Error {
  constructor(readonly lockFile: string, readonly holder: string) {
    super(`The audit log is locked by ${holder || 'another process'} (lock file ${lockFile}). If no Break Glass window or CLI is running, delete that file and try again.`);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readLock(file: string): Promise<{ content: string; ageMs: number } | undefined> {
  try {
    const [content, st] = await Promise.all([fsp.readFile(file, 'utf8'), fsp.stat(file)]);
    return { content, ageMs: Date.now() - st.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Holds `lockFile` while `fn` runs. */
export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const release = await acquireFileLock(lockFile, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Takes the lock and returns its release function. */
export async function acquireFileLock(lockFile: string, opts: FileLockOptions = {}): Promise<() => Promise<void>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const staleMs = opts.staleMs ?? 30_000;
  const alive = opts.isAlive ?? pidAlive;
  const host = os.hostname();
  const mine = `${process.pid} ${host} ${randomBytes(8).toString('hex')}\n`;
  const deadline = Date.now() + timeoutMs;
  let wait = 1;
  let holder = '';
  for (;;) {
    // The lock appears with its content in one step: written to a private file, then hard-linked into place (link
    // fails with EEXIST if the lock exists), so a holder killed at any instant never leaves an empty lock behind.
    const tmp = `${lockFile}.${process.pid}.${mine.slice(-17, -1)}`;
    await fsp.writeFile(tmp, mine, { mode: 0o600 });
    let linked = false;
    try {
      await fsp.link(tmp, lockFile);
      linked = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      await fsp.unlink(tmp).catch(() => undefined);
    }
    if (linked) {
      return async () => {
        // Only our own lock is removed (a peer may have judged it stale after staleMs and taken it).
        const cur = await fsp.readFile(lockFile, 'utf8').catch(() => undefined);
        if (cur === mine) await fsp.unlink(lockFile).catch(() => undefined);
      };
    }
    const cur = await readLock(lockFile);
    if (cur) {
      const [pidText, lockHost] = cur.content.split(' ');
      const pid = Number(pidText);
      holder = Number.isInteger(pid) && pid > 0 ? `pid ${pid} on ${lockHost?.trim() || 'an unknown host'}` : '';
      // An empty or foreign lock file (not written by us) is judged by age only.
      const dead = lockHost?.trim() === host && Number.isInteger(pid) && pid > 0 && !alive(pid);
      if (dead || cur.ageMs > staleMs || (cur.content === '' && cur.ageMs > 1000)) {
        await breakStale(lockFile, cur.content);
        continue;
      }
    }
    if (Date.now() > deadline) throw new LockTimeoutError(lockFile, holder);
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 25);
  }
}

/**
 * Removes private files that processes killed mid-step left beside `file`: `<file>.<suffix>.<pid>.<tag>` of pids
 * that are no longer alive (lock files being linked), once they are over 10 s old — a live
 * writer's private file exists for microseconds, and a pid from another host (a network home directory) may look dead.
 */
export async function sweepOrphans(file: string, suffixes: string[] = ['lock', 'head']): Promise<void> {
  const dir = path.dirname(file);
  const base = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^${base}\\.(?:${suffixes.join('|')})\\.(\\d+)\\.(?:[0-9a-f]{16}|tmp)$`);
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    const m = re.exec(n);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    const st = await fsp.stat(path.join(dir, n)).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 10_000) await fsp.unlink(path.join(dir, n)).catch(() => undefined);
  }
}

async function breakStale(lockFile: string, staleContent: string): Promise<void> {
  const breaker = `${lockFile}.break`;
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(breaker, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const b = await readLock(breaker);
    if (b && b.ageMs > 2000) await fsp.unlink(breaker).catch(() => undefined);
    await sleep(1);
    return;
  }
  try {
    await fh.close();
    const cur = await readLock(lockFile);
    if (cur && cur.content === staleContent) await fsp.unlink(lockFile).catch(() => undefined);
    await sweepOrphans(lockFile.replace(/\.lock$/, ''));
  } finally {
    await fsp.unlink(breaker).catch(() => undefined);
  }
}
