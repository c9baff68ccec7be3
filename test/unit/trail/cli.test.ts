import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { auditCommand } from '../../../src/cli/commands/audit';
import { alertingCommand } from '../../../src/cli/commands/alerting';
import { activityCommand } from '../../../src/cli/commands/activity';
import { AuditLog } from '../../../src/core/audit/log';
import { ASSUME_ROLE_PATTERN } from '../../../src/core/trail/alerting';
import { breakGlassAssumeRoleRecord } from '../../../src/core/trail/samples';
import { startFakeTrail, type FakeTrail } from '../../support/fake-trail';
import { memoryIO } from '../helpers/io';
import { TEST_CREDS } from '../helpers/aws';

describe('CLI: audit verify / export / ship, activity, alerting', function () {
  this.timeout(20_000);
  let dir: string;
  let file: string;
  let fake: FakeTrail;
  before(async () => { fake = await startFakeTrail(); });
  after(() => fake.close());
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-cli-trail-'));
    file = path.join(dir, 'audit.jsonl');
    const log = new AuditLog(file);
    await log.append({ event: 'requested', incidentId: 'INC-1', requester: 'alice', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-X', justification: 'authorization=CAB-1234' });
    await log.append({ event: 'granted', sessionId: 's1', incidentId: 'INC-1', requester: 'alice', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-X', accessKeyId: 'ASIAEXAMPLE000000001' });
    await log.append({ event: 'requested', incidentId: 'INC-2', requester: 'bob', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-X' });
    await log.append({ event: 'revoked_aws', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-X', reason: { code: 'AccessDenied', message: 'not allowed to iam:PutRolePolicy' } });
    await log.dispose();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const awsEnv = () => ({ AWS_ACCESS_KEY_ID: TEST_CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDS.secretAccessKey, AWS_REGION: 'us-east-1' });

  it('audit verify: exit 0 and a one-line verdict when intact; exit 1 naming the first broken link when edited', async () => {
    let io = memoryIO();
    assert.strictEqual(await auditCommand.run(['verify', '--audit-log', file], io), 0);
    assert.match(io.out(), /hash chain intact — 4 record\(s\) in 1 file/);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1].replace('ASIAEXAMPLE000000001', 'ASIAEXAMPLE000000002');
    fs.writeFileSync(file, lines.join('\n'));
    io = memoryIO();
    assert.strictEqual(await auditCommand.run(['verify', '--audit-log', file], io), 1);
    assert.match(io.out(), /BROKEN — first broken link: edited at audit\.jsonl line 2/);
    io = memoryIO();
    assert.strictEqual(await auditCommand.run(['--audit-log', file], io), 0, 'the summary still renders');
    assert.match(io.out(), /Integrity: BROKEN.*edited at audit\.jsonl line 2/);
    assert.match(io.out(), /still count all 4 record/);
  });

  it('the summary lists interrupted requests and failed AWS-side revocations, and keeps the justification readable', async () => {
    const io = memoryIO();
    assert.strictEqual(await auditCommand.run(['--json', '--audit-log', file], io), 0);
    const s = JSON.parse(io.out());
    assert.deepStrictEqual(s.interrupted.map((r: { requester: string }) => r.requester), ['bob']);
    assert.deepStrictEqual(s.failedRevocations.map((r: { code: string }) => r.code), ['AccessDenied']);
    assert.deepStrictEqual(s.sessionsBy.incident, { 'INC-1': ['s1'] });
    assert.strictEqual(s.integrity.ok, true);
    assert.match(fs.readFileSync(file, 'utf8'), /authorization=CAB-1234/);
  });

  it('audit export keeps the chain: the exported file verifies, and an edit in it is caught', async () => {
    const out = path.join(dir, 'export.json');
    assert.strictEqual(await auditCommand.run(['export', '--audit-log', file, '--output', out], memoryIO()), 0);
    let io = memoryIO();
    assert.strictEqual(await auditCommand.run(['verify', '--export', out], io), 0, io.out());
    const data = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.strictEqual(data.records[0].seq, 1);
    data.records.splice(1, 1);
    fs.writeFileSync(out, JSON.stringify(data));
    io = memoryIO();
    assert.strictEqual(await auditCommand.run(['verify', '--export', out], io), 1);
    assert.match(io.out(), /deleted/);
  });

  it('audit ship sends the queue to CloudWatch Logs; audit --central summarises the central group', async () => {
    fake.groups.set('/bg/audit', { streams: new Map(), metricFilters: [] });
    let io = memoryIO();
    io.env = awsEnv();
    assert.strictEqual(await auditCommand.run(['ship', '--log-group', '/bg/audit', '--audit-log', file, '--endpoint-url', fake.url], io), 0, io.err());
    assert.match(io.out(), /Shipped 4 record\(s\)/);
    io = memoryIO();
    io.env = awsEnv();
    assert.strictEqual(await auditCommand.run(['--central', '--json', '--log-group', '/bg/audit', '--endpoint-url', fake.url], io), 0, io.err());
    assert.strictEqual(JSON.parse(io.out()).totalSessions, 1);
  });

  it('activity --json lists and flags; alerting template prints the rules; bad input is a usage error', async () => {
    const r = breakGlassAssumeRoleRecord() as { requestParameters: Record<string, unknown>; responseElements: { credentials: Record<string, unknown> }; eventTime: string };
    r.eventTime = new Date().toISOString();
    fake.cloudTrailEvents = [{ EventId: 'e1', EventName: 'AssumeRole', EventTime: Date.now() / 1000, EventSource: 'sts.amazonaws.com', CloudTrailEvent: JSON.stringify(r) }];
    let io = memoryIO();
    io.env = awsEnv();
    assert.strictEqual(await activityCommand.run(['--json', '--days', '1', '--audit-log', file, '--endpoint-url', fake.url], io), 0, io.err());
    const a = JSON.parse(io.out());
    assert.deepStrictEqual(a.items.map((i: { flagged: boolean }) => i.flagged), [true]);
    await assert.rejects(activityCommand.run(['--days', '365'], memoryIO()), /--days must be a whole number from 1 to 90/);
    io = memoryIO();
    assert.strictEqual(await alertingCommand.run(['template', '--email', 'oncall@example.com'], io), 0);
    const t = JSON.parse(io.out());
    assert.deepStrictEqual(t.Resources.BreakGlassAlertAssumeRoleRule.Properties.EventPattern, ASSUME_ROLE_PATTERN);
    await assert.rejects(alertingCommand.run(['template', '--email', 'not-an-address'], memoryIO()), /is not an e-mail address/);
    io = memoryIO();
    io.env = awsEnv();
    assert.strictEqual(await alertingCommand.run(['check', '--endpoint-url', fake.url], io), 1);
    assert.match(io.out(), /FAIL {2}EventBridge rule BreakGlass-AssumeRole does not exist/);
  });
});
