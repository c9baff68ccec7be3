import * as assert from 'assert';
import { AwsClients } from '../../../src/core/aws/clients';
import type { AuditRecord } from '../../../src/core/audit/log';
import { lookupBreakGlassActivity, renderActivityMarkdown } from '../../../src/core/trail/activity';
import { breakGlassAssumeRoleRecord, breakGlassConsoleLoginRecord, DOC_ASSUME_ROLE_RECORD } from '../../../src/core/trail/samples';
import { startFakeTrail, type FakeTrail } from '../../support/fake-trail';
import { TEST_CREDS } from '../helpers/aws';

describe('trail/activity: CloudTrail LookupEvents correlated with the audit log', function () {
  this.timeout(30_000);
  let fake: FakeTrail;
  let clients: AwsClients;
  const NOW = Date.parse('2024-05-10T12:00:00Z');
  const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
  before(async () => {
    fake = await startFakeTrail({ lookupPageSize: 3 });
    clients = new AwsClients({ endpointUrl: fake.url, region: 'us-east-1', credentials: TEST_CREDS, env: {}, maxAttempts: 1 });
  });
  after(async () => { clients.destroy(); await fake.close(); });

  function assumeRole(i: number, over: { roleArn?: string; key?: string; session?: string; sourceIdentity?: string } = {}) {
    const r = over.roleArn === 'doc' ? JSON.parse(JSON.stringify(DOC_ASSUME_ROLE_RECORD)) : breakGlassAssumeRoleRecord(over.roleArn ?? ROLE);
    const t = new Date(NOW - (i + 1) * 3600_000);
    r.eventTime = t.toISOString().replace(/\.\d{3}Z$/, 'Z');
    r.eventID = `ev-${i}`;
    r.requestParameters.roleSessionName = over.session ?? `bg-${i}`;
    if (over.sourceIdentity) r.requestParameters.sourceIdentity = over.sourceIdentity;
    r.responseElements.credentials.accessKeyId = over.key ?? `ASIAEXAMPLE${String(i).padStart(9, '0')}`;
    return { EventId: `ev-${i}`, EventName: 'AssumeRole', EventTime: t.getTime() / 1000, EventSource: 'sts.amazonaws.com', ReadOnly: 'true', CloudTrailEvent: JSON.stringify(r) };
  }

  beforeEach(() => {
    fake.requests.length = 0;
    fake.cloudTrailEvents = [];
    for (let i = 0; i < 7; i++) fake.cloudTrailEvents.push(assumeRole(i));
    fake.cloudTrailEvents.push(assumeRole(7, { roleArn: 'doc' }));
    fake.cloudTrailEvents.push(assumeRole(8, { key: 'ASIAUNKNOWN000000001', session: 'alice-by-hand', sourceIdentity: 'alice' }));
    const login = breakGlassConsoleLoginRecord() as Record<string, unknown>;
    fake.cloudTrailEvents.push({ EventId: 'login-1', EventName: 'ConsoleLogin', EventTime: (NOW - 1800_000) / 1000, EventSource: 'signin.amazonaws.com', Username: 'Anaya-BREAK-GLASS', CloudTrailEvent: JSON.stringify(login) });
  });

  const audit: AuditRecord[] = [
    ...Array.from({ length: 6 }, (_, i): AuditRecord => ({ v: 1, ts: new Date(NOW - (i + 1) * 3600_000).toISOString(), event: 'granted', sessionId: `s${i}`, roleArn: ROLE, incidentId: 'INC-1', requester: 'bob', accessKeyId: `ASIAEXAMPLE${String(i).padStart(9, '0')}` })),
    // Session 6 matched by SourceIdentity (its 'granted' line has no access key id).
  ];

  it('paginates (NextToken), stays within 2 requests per second, and flags AssumeRoles with no audit record', async () => {
    const extra: AuditRecord = { v: 1, ts: new Date(NOW - 7 * 3600_000).toISOString(), event: 'granted', sessionId: 's6', roleArn: ROLE, requester: 'carol' };
    const ev6 = JSON.parse(fake.cloudTrailEvents[6].CloudTrailEvent);
    ev6.requestParameters.sourceIdentity = 'carol';
    fake.cloudTrailEvents[6].CloudTrailEvent = JSON.stringify(ev6);
    const r = await lookupBreakGlassActivity(clients.cloudTrail(), [...audit, extra], { now: () => NOW, days: 7 });
    const lookups = fake.calls('LookupEvents');
    // 9 AssumeRole events at 3 per page = 3 pages, + 1 page of ConsoleLogin.
    assert.strictEqual(lookups.length, 4);
    assert.strictEqual(r.throttled, 0);
    for (let i = 2; i < lookups.length; i++) assert.ok(lookups[i].time - lookups[i - 2].time >= 1000, 'never more than 2 calls in one second');
    assert.deepStrictEqual(lookups.map((l) => (l.body.LookupAttributes as Array<{ AttributeValue: string }>)[0].AttributeValue), ['AssumeRole', 'AssumeRole', 'AssumeRole', 'ConsoleLogin']);
    assert.strictEqual(r.items.filter((i) => i.kind === 'AssumeRole').length, 8, 'the documented JohnRole2 event is not break-glass');
    const flagged = r.items.filter((i) => i.flagged);
    assert.deepStrictEqual(flagged.map((i) => i.eventId).sort(), ['ev-8', 'login-1']);
    assert.strictEqual(r.items.find((i) => i.eventId === 'ev-6')?.matched?.by, 'sourceIdentity');
    assert.strictEqual(r.items.find((i) => i.eventId === 'ev-0')?.matched?.sessionId, 's0');
    const md = renderActivityMarkdown(r);
    assert.match(md, /2 flagged/);
    assert.match(md, /ASIAUNKNOWN000000001/);
  });

  it('a ThrottlingException from the endpoint is retried with backoff and no event is lost', async () => {
    const r = await lookupBreakGlassActivity(clients.cloudTrail(), audit, { now: () => NOW, minIntervalMs: 0, baseBackoffMs: 200 });
    assert.ok(r.throttled >= 1, `throttled ${r.throttled} time(s)`);
    assert.strictEqual(r.items.length, 9);
  });

  it('is cancellable between pages', async () => {
    const ac = new AbortController();
    const p = lookupBreakGlassActivity(clients.cloudTrail(), audit, { now: () => NOW, abortSignal: ac.signal });
    while (fake.calls('LookupEvents').length < 1) await new Promise((res) => setImmediate(res));
    ac.abort();
    await assert.rejects(p, /Cancelled/);
    assert.ok(fake.calls('LookupEvents').length < 4);
  });
});
