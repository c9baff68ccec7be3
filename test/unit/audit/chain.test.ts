import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { AuditLog, rotatedFiles } from '../../../src/core/audit/log';
import { verifyAudit } from '../../../src/core/audit/chain';

describe('audit/chain: tamper evidence', () => {
  let dir: string;
  let log: AuditLog;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-chain-'));
    log = new AuditLog(path.join(dir, 'audit.jsonl'));
    for (let i = 1; i <= 6; i++) await log.append({ event: i % 2 ? 'requested' : 'granted', sessionId: `s${i}`, incidentId: 'INC-1', justification: `step ${i}` });
    await log.dispose();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lines = () => fs.readFileSync(log.file, 'utf8').split('\n').filter(Boolean);
  const write = (ls: string[]) => fs.writeFileSync(log.file, ls.join('\n') + '\n');

  it('an untouched log verifies: every record chained, seq 1..n, head recorded', async () => {
    const v = await log.verify();
    assert.strictEqual(v.ok, true, v.firstBreak?.message);
    assert.strictEqual(v.verified, 6);
    assert.strictEqual(v.records, 6);
    assert.deepStrictEqual(lines().map((l) => (JSON.parse(l) as { seq: number }).seq), [1, 2, 3, 4, 5, 6]);
    assert.strictEqual((JSON.parse(lines()[0]) as { prev: string }).prev, 'genesis');
    assert.strictEqual(v.head?.seq, 6);
  });

  it('edit: a changed justification breaks the link to the next record', async () => {
    const ls = lines();
    ls[2] = ls[2].replace('step 3', 'step 3 (nothing to see)');
    write(ls);
    const v = await log.verify();
    assert.strictEqual(v.ok, false);
    assert.deepStrictEqual([v.firstBreak?.kind, v.firstBreak?.line], ['edited', 3]);
    assert.strictEqual(v.records, 6, 'totals are not silently changed: every record is still counted');
  });

  it('edit of the last line is caught by the recorded head', async () => {
    const ls = lines();
    ls[5] = ls[5].replace('step 6', 'step six');
    write(ls);
    const v = await log.verify();
    assert.deepStrictEqual([v.ok, v.firstBreak?.kind, v.firstBreak?.line], [false, 'edited', 6]);
  });

  it('an edit that leaves an unparseable line is an edit, not a torn write', async () => {
    const ls = lines();
    ls[1] = ls[1].slice(0, 30);
    write(ls);
    const v = await log.verify();
    assert.deepStrictEqual([v.ok, v.firstBreak?.kind, v.firstBreak?.line], [false, 'edited', 2]);
  });

  it('delete: a removed line is reported where the gap is', async () => {
    const ls = lines();
    ls.splice(3, 1);
    write(ls);
    const v = await log.verify();
    assert.deepStrictEqual([v.ok, v.firstBreak?.kind, v.firstBreak?.line, v.firstBreak?.seq], [false, 'deleted', 4, 5]);
    assert.match(v.firstBreak!.message, /1 record\(s\) \(4\) were deleted/);
  });

  it('delete of the first lines is reported (the chain does not start at 1)', async () => {
    write(lines().slice(2));
    const v = await log.verify();
    assert.deepStrictEqual([v.ok, v.firstBreak?.kind, v.firstBreak?.line], [false, 'deleted', 1]);
  });

  it('insert: a hand-written record, and a duplicated record, are both caught', async () => {
    const ls = lines();
    write([...ls.slice(0, 2), JSON.stringify({ v: 1, ts: '2024-01-01T00:00:00Z', event: 'granted', sessionId: 'forged' }), ...ls.slice(2)]);
    let v = await log.verify();
    assert.deepStrictEqual([v.ok, v.firstBreak?.kind, v.firstBreak?.line], [false, 'inserted', 3]);
    write([...ls.slice(0, 3), ls[1], ...ls.slice(3)]);
    v = await log.verify();
    assert.deepStrictEqual([v.ok, v.firstBreak?.kind, v.firstBreak?.line], [false, 'inserted', 4]);
  });

  it('insert with forged chain fields is caught at the next genuine record', async () => {
    const ls = lines();
    const { createHash } = await import('crypto');
    const forged = JSON.stringify({ v: 1, ts: '2024-01-01T00:00:00Z', event: 'granted', sessionId: 'forged', seq: 3, prev: createHash('sha256').update(ls[1]).digest('hex') });
    write([...ls.slice(0, 2), forged, ...ls.slice(2)]);
    const v = await log.verify();
    assert.deepStrictEqual([v.ok, v.firstBreak?.kind, v.firstBreak?.line], [false, 'inserted', 4]);
  });

  it('reorder: two swapped lines', async () => {
    const ls = lines();
    [ls[2], ls[3]] = [ls[3], ls[2]];
    write(ls);
    const v = await log.verify();
    assert.deepStrictEqual([v.ok, v.firstBreak?.kind, v.firstBreak?.line], [false, 'reordered', 3]);
  });

  it('truncate: lines cut from the end (whole lines, or mid-line) are caught by the recorded head', async () => {
    write(lines().slice(0, 4));
    let v = await log.verify();
    assert.deepStrictEqual([v.ok, v.firstBreak?.kind], [false, 'truncated']);
    assert.match(v.firstBreak!.message, /ends at record 4 .* record 6 was written: 2 record\(s\) were removed/);
    const text = lines().join('\n');
    fs.writeFileSync(log.file, text.slice(0, text.length - 20));
    v = await log.verify();
    assert.deepStrictEqual([v.ok, v.firstBreak?.kind], [false, 'truncated']);
    fs.writeFileSync(log.file, '');
    v = await log.verify();
    assert.deepStrictEqual([v.ok, v.firstBreak?.kind], [false, 'truncated']);
  });

  it('a torn write from a crash is not tampering: the chain continues across it', async () => {
    fs.appendFileSync(log.file, '{"v":1,"ts":"2024-05-01T12:00:00Z","event":"gran');
    const again = new AuditLog(log.file);
    await again.append({ event: 'expired', sessionId: 's6' });
    await again.dispose();
    const v = await again.verify();
    assert.strictEqual(v.ok, true, v.firstBreak?.message);
    assert.deepStrictEqual(v.torn, [{ file: 'audit.jsonl', line: 7 }]);
    assert.strictEqual(v.verified, 7);
  });

  it('records from before the chain (an older version) are counted as legacy, and the chain continues after them', () => {
    const legacy = [JSON.stringify({ v: 1, ts: '2024-01-01T00:00:00Z', event: 'granted', sessionId: 'old' })];
    const v = verifyAudit([{ name: 'audit.jsonl', text: legacy.join('\n') + '\n' }]);
    assert.deepStrictEqual([v.ok, v.legacy, v.records], [true, 1, 1]);
  });

  it('rotation by size carries the chain across files, and deleting a rotated file is caught', async () => {
    const small = new AuditLog(path.join(dir, 'rot.jsonl'), { rotateBytes: 600 });
    for (let i = 0; i < 12; i++) await small.append({ event: 'granted', sessionId: `r${i}`, justification: 'x'.repeat(100) });
    await small.dispose();
    const rotated = await rotatedFiles(small.file);
    assert.ok(rotated.length >= 2, `rotated into ${rotated.length} file(s)`);
    const v = await small.verify();
    assert.strictEqual(v.ok, true, v.firstBreak?.message);
    assert.strictEqual(v.verified, 12);
    assert.strictEqual((await small.read()).records.length, 12);
    const firstOfCurrent = JSON.parse(fs.readFileSync(small.file, 'utf8').split('\n')[0]) as { rotatedFrom?: string };
    assert.strictEqual(firstOfCurrent.rotatedFrom, path.basename(rotated[rotated.length - 1]), 'the new file names the file it continues');
    fs.rmSync(rotated[0]);
    const broken = await small.verify();
    assert.deepStrictEqual([broken.ok, broken.firstBreak?.kind], [false, 'deleted']);
  });
});

describe('audit/log: several processes append to one log', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-multi-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs one writer generation; kills it with SIGKILL after `killAfter` acks (if given). Returns the acked indexes. */
  function writer(file: string, w: number, gen: number, start: number, count: number, killAfter?: number, rotate = 0): Promise<number[]> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, 'multi-writer.ts'), file, String(w), String(gen), String(start), String(count), String(rotate)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const acked: number[] = [];
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const m = /^ack (\d+)$/.exec(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (m) acked.push(Number(m[1]));
          if (killAfter !== undefined && acked.length === killAfter) child.kill('SIGKILL');
        }
      });
      child.on('error', reject);
      child.on('exit', () => resolve(acked));
    });
  }

  it('a fragment another process left while this one held the file open is not glued to the next record', async () => {
    const log = new AuditLog(path.join(dir, 'audit.jsonl'));
    await log.append({ event: 'requested', sessionId: 'a' });
    // Another writer died mid-line while `log` still has the file open (its idle timer has not closed it).
    fs.appendFileSync(log.file, '{"v":1,"ts":"2024-05-01T12:00:00Z","event":"granted","sessionId":"torn');
    await log.append({ event: 'granted', sessionId: 'b' });
    await log.dispose();
    const r = await log.read();
    assert.deepStrictEqual(r.records.map((x) => x.sessionId), ['a', 'b']);
    assert.deepStrictEqual(r.skipped, [2]);
    const v = await log.verify();
    assert.strictEqual(v.ok, true, v.firstBreak?.message);
    assert.deepStrictEqual(v.torn, [{ file: 'audit.jsonl', line: 2 }]);
  });

  it('a lock left by a killed process (dead pid) is broken at once; a live holder is waited for', async () => {
    const log = new AuditLog(path.join(dir, 'audit.jsonl'), { lock: { timeoutMs: 300 } });
    await log.append({ event: 'requested', sessionId: 'a' });
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    fs.writeFileSync(log.lockFile, `${dead.pid} ${os.hostname()} deadbeefdeadbeef\n`);
    fs.writeFileSync(`${log.lockFile}.${dead.pid}.deadbeefdeadbeef`, 'orphan');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${log.lockFile}.${dead.pid}.deadbeefdeadbeef`, old, old);
    await log.append({ event: 'granted', sessionId: 'b' });
    assert.ok(!fs.existsSync(log.lockFile));
    assert.ok(!fs.existsSync(`${log.lockFile}.${dead.pid}.deadbeefdeadbeef`), 'the dead holder\'s private file is swept');
    fs.writeFileSync(log.lockFile, `${process.pid} ${os.hostname()} 0123456789abcdef\n`);
    await assert.rejects(log.append({ event: 'expired', sessionId: 'b' }), /locked by pid \d+ on .*delete that file/);
    fs.rmSync(log.lockFile);
    await log.append({ event: 'expired', sessionId: 'b' });
    await log.dispose();
    assert.deepStrictEqual((await log.read()).records.map((x) => x.sessionId), ['a', 'b', 'b']);
    assert.strictEqual((await log.verify()).ok, true);
  });

  it('4 processes × 500 appends with SIGKILLs: no acknowledged record lost, nothing corrupted, the chain valid', async function () {
    this.timeout(180_000);
    const file = path.join(dir, 'audit.jsonl');
    const N = 500;
    const acked = new Map<number, Set<number>>();
    await Promise.all([0, 1, 2, 3].map(async (w) => {
      const mine = new Set<number>();
      acked.set(w, mine);
      let gen = 0;
      let next = 0;
      // Writers 0 and 1 are killed twice each, at different points; each restart continues after its last ack.
      const kills = w < 2 ? [60 + w * 45, 130] : [];
      while (next < N) {
        const killAfter = kills[gen];
        const got = await writer(file, w, gen, next, N, killAfter, 64 * 1024);
        got.forEach((i) => mine.add(i));
        next = got.length ? got[got.length - 1] + 1 : next;
        gen++;
      }
    }));
    const log = new AuditLog(file);
    const v = await log.verify();
    assert.strictEqual(v.ok, true, v.firstBreak?.message);
    const { records } = await log.read();
    assert.strictEqual(v.verified, records.length, 'every record is in the chain');
    const seen = new Map<string, number>();
    for (const r of records) seen.set(r.sessionId!, (seen.get(r.sessionId!) ?? 0) + 1);
    for (const [w, set] of acked) {
      assert.strictEqual(set.size, N, `writer ${w} got every index acknowledged`);
      for (const i of set) assert.ok(seen.has(`w${w}-${i}`), `acknowledged record w${w}-${i} is in the log`);
    }
    // A record in flight when its writer was killed may be on disk without an ack (then written again after the
    // restart): at most one such duplicate per kill.
    const dups = [...seen.values()].filter((n) => n > 1).length;
    assert.ok(dups <= 4, `${dups} duplicate(s)`);
    assert.ok(records.length >= 4 * N && records.length <= 4 * N + 4);
    assert.ok((await rotatedFiles(file)).length >= 1, 'the log rotated while four writers appended');
    assert.ok(!fs.existsSync(`${file}.lock`), 'no lock left behind');
  });
});
