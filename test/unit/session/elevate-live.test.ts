// elevate() against the local fake endpoint: abort mid-flight, the only request, and the flow's audit trail.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AwsClients } from '../../../src/core/aws/clients';
import { BreakGlassError } from '../../../src/core/aws/errors';
import { AuditLog } from '../../../src/core/audit/log';
import { planElevation } from '../../../src/core/session/elevate';
import { elevateAndRecord, recordRequest } from '../../../src/core/session/flow';
import { SessionStore } from '../../../src/core/session/store';
import { MemorySecretStore } from '../../../src/core/session/types';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';

const CREDS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const input = {
  roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER', playbook: 'forensics_collection', incidentId: 'INC-2024-007',
  justification: 'Snapshot volumes', requester: 'bob', mfaSerial: 'arn:aws:iam::111122223333:mfa/bob', region: 'us-east-1',
};

describe('session/elevate against fake AWS', () => {
  let fake: FakeAws;
  let clients: AwsClients;
  let dir: string;
  before(async () => {
    fake = await startFakeAws();
    clients = new AwsClients({ endpointUrl: fake.url, region: 'us-east-1', credentials: CREDS, env: {} });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-flow-'));
  });
  after(async () => { clients.destroy(); await fake.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  beforeEach(() => fake.reset());

  it('flow: one AssumeRole (the only request), session registered, requested+granted audited without secrets', async () => {
    const r = planElevation({ ...input, tokenCode: '424242' });
    assert.ok(r.ok);
    const store = new SessionStore({ secrets: new MemorySecretStore() });
    const audit = new AuditLog(path.join(dir, 'a.jsonl'));
    const e = await elevateAndRecord(r.plan, { sts: clients.stsForMfa(), store, audit });
    assert.deepStrictEqual(fake.requests.map((q) => q.action), ['AssumeRole']);
    const p = fake.requests[0].params;
    assert.strictEqual(p.RoleArn, input.roleArn);
    assert.strictEqual(p.TokenCode, '424242');
    assert.strictEqual(p.SerialNumber, input.mfaSerial);
    assert.strictEqual(p.SourceIdentity, 'bob');
    assert.strictEqual(p['Tags.member.1.Key'], 'IncidentId');
    assert.strictEqual(p['Tags.member.3.Value'], 'bob');
    assert.strictEqual(p.DurationSeconds, '10800');
    assert.strictEqual(store.get(e.session.id)?.state, 'active', 'registered before elevateAndRecord returns');
    await e.durable; // the 'granted' record and the SecretStore copy are written just after
    const text = fs.readFileSync(path.join(dir, 'a.jsonl'), 'utf8');
    assert.deepStrictEqual(text.trim().split('\n').map((l) => JSON.parse(l).event), ['requested', 'granted']);
    assert.ok(!text.includes(e.credentials.secretAccessKey) && !text.includes(e.credentials.sessionToken) && !text.includes('424242'));
    store.dispose();
  });

  it('flow: failure is audited with the translated reason', async () => {
    fake.setBehaviour('AssumeRole', 'packedPolicyTooLarge');
    const r = planElevation({ ...input, tokenCode: '515151' });
    assert.ok(r.ok);
    const audit = new AuditLog(path.join(dir, 'b.jsonl'));
    await assert.rejects(elevateAndRecord(r.plan, { sts: clients.stsForMfa(), audit }), (e: unknown) => e instanceof BreakGlassError && e.translated.code === 'PolicyTooLarge');
    const recs = (await audit.read()).records;
    assert.deepStrictEqual(recs.map((x) => x.event), ['requested', 'failed']);
    assert.strictEqual(recs[1].reason?.code, 'PolicyTooLarge');
    assert.ok(!fs.readFileSync(audit.file, 'utf8').includes('515151'));
  });

  it('AbortSignal cancels an in-flight AssumeRole', async () => {
    fake.setBehaviour('AssumeRole', 'ok', { delayMs: 2000 });
    const r = planElevation({ ...input, tokenCode: '616161' });
    assert.ok(r.ok);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    // Without cancellation the endpoint would answer 'ok' after 2 s and the elevation would succeed.
    await assert.rejects(elevateAndRecord(r.plan, { sts: clients.stsForMfa(), abortSignal: ac.signal }), (e: unknown) => e instanceof BreakGlassError && e.translated.code === 'Aborted');
    assert.strictEqual(fake.calls('AssumeRole').length, 1);
  });

  describe('the requested record written while the MFA prompt is open', () => {
    it('is the only requested record; the code typed later never reaches the audit log', async () => {
      const audit = new AuditLog(path.join(dir, 'pre.jsonl'));
      const pre = planElevation({ ...input, tokenCode: '000000' });
      assert.ok(pre.ok);
      const pending = recordRequest(audit, pre.plan);
      await pending.durable;
      assert.deepStrictEqual((await audit.read()).records.map((x) => x.event), ['requested'], 'on disk before the code is typed');
      const r = planElevation({ ...input, tokenCode: '737373' });
      assert.ok(r.ok);
      const e = await elevateAndRecord(r.plan, { sts: clients.stsForMfa(), audit, requested: pending });
      await e.durable;
      const recs = (await audit.read()).records;
      assert.deepStrictEqual(recs.map((x) => x.event), ['requested', 'granted']);
      assert.strictEqual(fake.calls('AssumeRole')[0].params.TokenCode, '737373');
      const text = fs.readFileSync(audit.file, 'utf8');
      assert.ok(!text.includes('737373') && !text.includes('000000'));
    });

    it('abandoning the prompt records that nothing was sent to AWS', async () => {
      const audit = new AuditLog(path.join(dir, 'abandon.jsonl'));
      const pre = planElevation({ ...input, tokenCode: '000000' });
      assert.ok(pre.ok);
      await recordRequest(audit, pre.plan).abandon();
      const recs = (await audit.read()).records;
      assert.deepStrictEqual(recs.map((x) => x.event), ['requested', 'failed']);
      assert.strictEqual(recs[1].reason?.code, 'Aborted');
      assert.strictEqual(fake.requests.length, 0);
    });

    it('when that record could not be written, nothing is sent to AWS (fail closed)', async () => {
      const blocker = path.join(dir, 'not-a-dir');
      fs.writeFileSync(blocker, 'a file where the log folder should be');
      const audit = new AuditLog(path.join(blocker, 'audit.jsonl'));
      const r = planElevation({ ...input, tokenCode: '646464' });
      assert.ok(r.ok);
      const pending = recordRequest(audit, r.plan);
      await assert.rejects(elevateAndRecord(r.plan, { sts: clients.stsForMfa(), audit, requested: pending }),
        (e: unknown) => e instanceof BreakGlassError && /audit log could not be written/.test(e.translated.message));
      assert.strictEqual(fake.requests.length, 0);
    });
  });
});
