import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { AwsClients } from '../../../src/core/aws/clients';
import { AuditLog } from '../../../src/core/audit/log';
import { verifyAudit } from '../../../src/core/audit/chain';
import { batches, CloudWatchShipper, cursorFile, readCentralTrail } from '../../../src/core/trail/cloudwatch';
import { startFakeTrail, type FakeTrail } from '../../support/fake-trail';
import { TEST_CREDS } from '../helpers/aws';

/** Resolves once `cond` holds, checking after every macrotask (a state, not a time). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

describe('trail/cloudwatch: shipping the audit log to CloudWatch Logs', () => {
  let fake: FakeTrail;
  let clients: AwsClients;
  let dir: string;
  const GROUP = '/breakglass/audit';
  before(async () => {
    fake = await startFakeTrail();
    clients = new AwsClients({ endpointUrl: fake.url, region: 'us-east-1', credentials: TEST_CREDS, env: {}, maxAttempts: 1 });
  });
  after(async () => { clients.destroy(); await fake.close(); });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-ship-'));
    fake.groups.clear();
    fake.groups.set(GROUP, { streams: new Map(), metricFilters: [] });
    fake.requests.length = 0;
    fake.outage = 'none';
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const stream = (s: CloudWatchShipper) => fake.groups.get(GROUP)?.streams.get(s.logStream) ?? [];

  it('ships every record in order, creating the stream, with the exact audit line as message', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const shipper = new CloudWatchShipper({ logs: clients.cloudWatchLogs(), logGroup: GROUP, logStream: 'host/alice', auditFile: file });
    const log = new AuditLog(file, { onAppended: () => shipper.notify() });
    for (let i = 0; i < 5; i++) await log.append({ event: 'granted', sessionId: `s${i}` });
    await log.dispose();
    await until(() => stream(shipper).length === 5);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    assert.deepStrictEqual(stream(shipper).map((e) => e.message), lines);
    assert.strictEqual(fake.calls('CreateLogStream').length, 1);
    assert.strictEqual((await shipper.ship()).pending, 0);
    // The central copy is a verifiable chain too.
    assert.strictEqual(verifyAudit([{ name: 'central', text: stream(shipper).map((e) => e.message).join('\n') }]).ok, true);
    shipper.dispose();
  });

  it('an endpoint outage never blocks an append; records stay queued on disk and go out, in order, when it ends', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const shipper = new CloudWatchShipper({ logs: clients.cloudWatchLogs(), logGroup: GROUP, logStream: 's', auditFile: file, baseDelayMs: 2, random: () => 1 });
    const log = new AuditLog(file, { onAppended: () => shipper.notify() });
    await log.append({ event: 'requested', sessionId: 'a' });
    await until(() => stream(shipper).length === 1);
    fake.outage = 'reset';
    for (const id of ['b', 'c', 'd']) await log.append({ event: 'granted', sessionId: id }); // resolves: shipping is not awaited
    await until(() => shipper.last?.error !== undefined);
    assert.strictEqual(await shipper.pending(), 3);
    fake.outage = 503;
    const during = await shipper.ship();
    assert.strictEqual(during.sent, 0);
    assert.ok(during.error, 'the failure is reported');
    assert.strictEqual(JSON.parse(fs.readFileSync(cursorFile(file), 'utf8')).lastSeq, 1, 'the cursor did not move');
    fake.outage = 'none';
    // The backoff timer retries on its own.
    await until(() => stream(shipper).length === 4);
    assert.deepStrictEqual(stream(shipper).map((e) => (JSON.parse(e.message) as { sessionId: string }).sessionId), ['a', 'b', 'c', 'd']);
    const ts = stream(shipper).map((e) => e.timestamp);
    assert.deepStrictEqual(ts, [...ts].sort((x, y) => x - y));
    shipper.dispose();
    await log.dispose();
  });

  it('survives a crash: a new process ships what the old one left; a re-sent batch is counted once when read back', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const log = new AuditLog(file);
    for (let i = 0; i < 4; i++) await log.append({ event: 'granted', sessionId: `s${i}`, requester: 'alice', incidentId: 'INC-1', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-X' });
    await log.dispose();
    // "Process 1" died before it shipped anything; "process 2" starts with only the files on disk.
    const p2 = new CloudWatchShipper({ logs: clients.cloudWatchLogs(), logGroup: GROUP, logStream: 's', auditFile: file });
    assert.deepStrictEqual((await p2.ship()).sent, 4);
    // A crash between PutLogEvents and the cursor write: the next process sends the batch again.
    fs.rmSync(cursorFile(file));
    const p3 = new CloudWatchShipper({ logs: clients.cloudWatchLogs(), logGroup: GROUP, logStream: 's', auditFile: file });
    assert.strictEqual((await p3.ship()).sent, 4);
    assert.strictEqual(stream(p3).length, 8);
    const central = await readCentralTrail(clients.cloudWatchLogs(), GROUP);
    assert.strictEqual(central.records.length, 4);
    assert.strictEqual(central.duplicates, 4);
    p2.dispose();
    p3.dispose();
  });

  it('a process SIGKILLed while shipping loses nothing: the next one ships the rest, in order, each record counted once', async function () {
    this.timeout(30_000);
    const file = path.join(dir, 'audit.jsonl');
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, 'ship-child.ts'), file, fake.url, GROUP], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = 0;
    child.stdout.on('data', (d: Buffer) => {
      acked += (d.toString().match(/ack /g) ?? []).length;
      if (acked >= 60) child.kill('SIGKILL');
    });
    await new Promise((r) => child.on('exit', r));
    const before = fake.groups.get(GROUP)!.streams.get('crash')?.length ?? 0;
    assert.ok(before > 0, 'the killed process had shipped some records');
    const next = new CloudWatchShipper({ logs: clients.cloudWatchLogs(), logGroup: GROUP, logStream: 'crash', auditFile: file });
    const r = await next.ship();
    next.dispose();
    assert.strictEqual(r.pending, 0);
    const { records } = await new AuditLog(file).read();
    assert.ok(records.length >= 60);
    const central = await readCentralTrail(clients.cloudWatchLogs(), GROUP);
    assert.deepStrictEqual(central.records.map((x) => x.seq), records.map((x) => x.seq), 'every local record is in the central trail once, in order');
    const sent = fake.groups.get(GROUP)!.streams.get('crash')!.map((e) => (JSON.parse(e.message) as { seq: number }).seq);
    // A kill between PutLogEvents and the cursor write makes the next process re-send that batch: a repeat, never a
    // reordering — the first time each record arrives is in seq order.
    const firsts = sent.filter((x, i) => sent.indexOf(x) === i);
    assert.deepStrictEqual(firsts, [...firsts].sort((a, b) => a - b), 'shipped in seq order');
  });

  it('a missing log group is reported (translated) and nothing is lost', async () => {
    fake.groups.clear();
    const file = path.join(dir, 'audit.jsonl');
    await new AuditLog(file).append({ event: 'requested' });
    const s = new CloudWatchShipper({ logs: clients.cloudWatchLogs(), logGroup: GROUP, logStream: 's', auditFile: file });
    const r = await s.ship();
    s.dispose();
    assert.strictEqual(r.pending, 1);
    assert.ok(r.error && !/<|\{/.test(r.error.message), JSON.stringify(r.error));
  });

  it('splits batches within PutLogEvents limits (events, bytes with 26 bytes each, 24 h span)', () => {
    const mk = (seq: number, size: number, ts = 0) => ({ seq, hash: '', text: 'x'.repeat(size), ts });
    assert.deepStrictEqual(batches([mk(1, 10), mk(2, 10), mk(3, 10)], { events: 2 }).map((b) => b.length), [2, 1]);
    assert.deepStrictEqual(batches([mk(1, 500_000), mk(2, 500_000), mk(3, 100)]).map((b) => b.length), [3]);
    assert.deepStrictEqual(batches([mk(1, 600_000), mk(2, 600_000)]).map((b) => b.length), [1, 1]);
    assert.deepStrictEqual(batches([mk(1, 524_262), mk(2, 524_263)]).map((b) => b.length), [1, 1], '2 × (n + 26) over 1,048,576');
    assert.deepStrictEqual(batches([mk(1, 1, 0), mk(2, 1, 24 * 3600_000)]).map((b) => b.length), [1, 1]);
  });
});
