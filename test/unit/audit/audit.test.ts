import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { AuditLog, parseAuditText, type AuditRecord } from '../../../src/core/audit/log';
import { renderAuditJson, renderAuditMarkdown, summarizeAudit } from '../../../src/core/audit/summary';

describe('audit/log', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-audit-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON line per event with v and ts, creating the directory', async () => {
    const log = new AuditLog(path.join(dir, 'sub', 'audit.jsonl'), { source: 'test' });
    await log.append({ event: 'requested', incidentId: 'INC-1' });
    await Promise.all([log.append({ event: 'granted', sessionId: 'a' }), log.append({ event: 'expired', sessionId: 'a' })]);
    const lines = fs.readFileSync(log.file, 'utf8').split('\n');
    assert.strictEqual(lines.length, 4);
    assert.strictEqual(lines[3], '');
    const r = await log.read();
    assert.deepStrictEqual(r.records.map((x) => x.event), ['requested', 'granted', 'expired']);
    assert.ok(r.records.every((x) => x.v === 1 && !Number.isNaN(Date.parse(x.ts)) && x.source === 'test'));
    if (process.platform !== 'win32') assert.strictEqual(fs.statSync(log.file).mode & 0o777, 0o600);
  });

  it('survives SIGKILL mid-append: complete lines parse, a torn tail is skipped, the next append is intact', async function () {
    this.timeout(20_000);
    const file = path.join(dir, 'audit.jsonl');
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, 'append-loop.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); }));
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    let text = fs.readFileSync(file, 'utf8');
    const before = parseAuditText(text);
    assert.ok(before.records.length >= 20, `appended ${before.records.length}`);
    // A kill between write() calls cannot tear a single write on a local disk, so also simulate the torn tail a
    // power loss leaves (half a record, no newline) on top of what the killed process wrote.
    fs.appendFileSync(file, '{"v":1,"ts":"2024-05-01T12:00:00Z","event":"gran');
    text = fs.readFileSync(file, 'utf8');
    const torn = parseAuditText(text);
    assert.strictEqual(torn.records.length, before.records.length);
    assert.ok(torn.skipped.length >= 1);
    const log = new AuditLog(file);
    await log.append({ event: 'revoked_local', sessionId: 'after-crash' });
    const after = await log.read();
    assert.strictEqual(after.records.length, before.records.length + 1);
    assert.strictEqual(after.records[after.records.length - 1].sessionId, 'after-crash');
    assert.deepStrictEqual(after.skipped, torn.skipped, 'the torn line stays one skipped line; nothing else is lost');
    const last = fs.readFileSync(file, 'utf8').trimEnd().split('\n').pop() ?? '';
    assert.strictEqual((JSON.parse(last) as AuditRecord).sessionId, 'after-crash');
  });

  it('a missing file reads as empty', async () => {
    assert.deepStrictEqual(await new AuditLog(path.join(dir, 'none.jsonl')).read(), { records: [], skipped: [] });
  });
});

describe('audit/summarizeAudit', () => {
  const now = Date.parse('2024-06-01T00:00:00Z');
  const rec = (r: Partial<AuditRecord>): AuditRecord => ({ v: 1, ts: '2024-05-01T12:00:00Z', event: 'granted', ...r });
  const records: AuditRecord[] = [
    rec({ sessionId: 'a', incidentId: 'INC-1', playbook: 'containment_actions', requester: 'alice', roleArn: 'arn:aws:iam::1:role/R', expiresAt: '2024-05-01T14:00:00Z' }),
    rec({ sessionId: 'b', incidentId: 'INC-1', playbook: 'read_only_investigation', requester: 'bob', roleArn: 'arn:aws:iam::1:role/R', expiresAt: '2024-06-01T14:00:00Z', ts: '2024-05-20T00:00:00Z' }),
    rec({ sessionId: 'c', incidentId: 'INC-2', playbook: 'containment_actions', requester: 'alice', roleArn: 'arn:aws:iam::1:role/S', expiresAt: '2024-06-01T14:00:00Z', ts: '2024-05-25T00:00:00Z' }),
    rec({ event: 'revoked_local', sessionId: 'b', ts: '2024-05-20T01:00:00Z' }),
    rec({ event: 'failed', incidentId: 'INC-2', requester: 'carol', reason: { code: 'MfaInvalid', message: 'AWS rejected the MFA code.' }, ts: '2024-05-24T00:00:00Z' }),
    rec({ sessionId: 'd', incidentId: 'INC-3', playbook: 'emergency_admin', requester: 'dave', roleArn: 'arn:aws:iam::1:role/T', expiresAt: '2024-06-01T14:00:00Z', ts: '2024-05-26T00:00:00Z' }),
    rec({ event: 'revoked_aws', roleArn: 'arn:aws:iam::1:role/T', details: { revokedBefore: '2024-05-27T00:00:00Z' }, ts: '2024-05-27T00:00:00Z' }),
  ];

  it('counts by playbook, requester and incident, with active / revoked / expired and failures', () => {
    const s = summarizeAudit(records, { now });
    assert.strictEqual(s.totalSessions, 4);
    assert.strictEqual(s.expiredSessions, 1);
    assert.strictEqual(s.revokedSessions, 2, 'local revocation and AWS revocation of the role');
    assert.strictEqual(s.activeSessions, 1);
    assert.strictEqual(s.failedRequests, 1);
    assert.deepStrictEqual(s.sessionTypes, { containment_actions: 2, read_only_investigation: 1, emergency_admin: 1 });
    assert.deepStrictEqual(s.requesters, { alice: 2, bob: 1, dave: 1 });
    assert.deepStrictEqual(s.incidents, { 'INC-1': 2, 'INC-2': 1, 'INC-3': 1 });
  });

  it('filters by period and incident, renders Markdown and JSON', () => {
    const s = summarizeAudit(records, { since: '2024-05-10T00:00:00Z', until: '2024-05-31T00:00:00Z', incident: 'INC-2', now });
    assert.strictEqual(s.totalSessions, 1);
    assert.strictEqual(s.failedRequests, 1);
    const md = renderAuditMarkdown(s);
    assert.match(md, /# Break Glass audit summary/);
    assert.match(md, /Incident: INC-2/);
    assert.match(md, /\| 1 \| 1 \| 0 \| 0 \| 1 \|/);
    assert.match(md, /MfaInvalid: AWS rejected the MFA code/);
    assert.deepStrictEqual(JSON.parse(renderAuditJson(s)).incidents, { 'INC-2': 1 });
    assert.throws(() => summarizeAudit(records, { since: 'yesterday' }), /ISO 8601/);
  });
});

describe('audit/log ensureWritable (checked before an MFA code can be spent)', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-writable-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the folder and file, and rejects with the file system error when it cannot', async () => {
    const log = new AuditLog(path.join(dir, 'sub', 'audit.jsonl'));
    await log.ensureWritable();
    assert.ok(fs.existsSync(log.file));
    await log.dispose();
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    await assert.rejects(new AuditLog(path.join(dir, 'file', 'audit.jsonl')).ensureWritable(), (e: NodeJS.ErrnoException) => /^E[A-Z]+$/.test(e.code ?? ''));
  });

  it('a torn last line found when opening early still gets its own line', async () => {
    const file = path.join(dir, 'torn.jsonl');
    fs.writeFileSync(file, '{"v":1,"ts":"2024-01-01T00:00:00Z","event":"requ');
    const log = new AuditLog(file);
    await log.ensureWritable();
    await log.append({ event: 'requested', incidentId: 'INC-1' });
    await log.dispose();
    const r = parseAuditText(fs.readFileSync(file, 'utf8'));
    assert.deepStrictEqual([r.records.map((x) => x.incidentId), r.skipped], [['INC-1'], [1]]);
  });
});
