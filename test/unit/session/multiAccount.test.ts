// One MFA code, several accounts: GetSessionToken once, then AssumeRole per account signed with its credentials,
// against the local STS endpoint (test/support/fake-aws.ts, awsQuery wire format).
// AWS: GetSessionToken https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html;
// the 1-hour cap for roles assumed with its credentials https://repost.aws/knowledge-center/iam-role-chaining-limit.
import * as assert from 'assert';
import { AwsClients } from '../../../src/core/aws/clients';
import type { AuditInput } from '../../../src/core/audit/log';
import { elevateSeveral, MfaSessionStore, type MultiAccountRequest, type MultiAccountPorts } from '../../../src/core/session/multiAccount';
import { SessionStore } from '../../../src/core/session/store';
import { MemorySecretStore } from '../../../src/core/session/types';
import { useFakeAws } from '../helpers/aws';
import { FakeClock } from './fake-clock';

const clock = new FakeClock(Date.now());
const SERIAL = 'arn:aws:iam::111122223333:mfa/alice';
const ROLES = [
  { name: 'BREAK-GLASS-IR-PROD', accountId: '111122223333', maxSessionDuration: 28800, mfaRequired: true },
  { name: 'BREAK-GLASS-IR-STAGE', accountId: '444455556666', maxSessionDuration: 28800, mfaRequired: true },
  { name: 'BREAK-GLASS-IR-LOGS', accountId: '777788889999', maxSessionDuration: 28800, mfaRequired: true },
];
// The fake rejects a code used twice (as STS does), so every prompt answers a fresh one.
let nextCode = 100000;
const arn = (r: typeof ROLES[number]) => `arn:aws:iam::${r.accountId}:role/${r.name}`;

describe('session/multiAccount: one MFA code, several accounts', () => {
  const aws = useFakeAws({ roles: ROLES, now: () => clock.now() });
  let secrets: MemorySecretStore;
  let mfaSessions: MfaSessionStore;
  let store: SessionStore;
  let audit: AuditInput[];
  let prompts: number;
  let codes: string[];
  const clientsMade: AwsClients[] = [];

  beforeEach(() => {
    secrets = new MemorySecretStore();
    mfaSessions = new MfaSessionStore(secrets, clock);
    store = new SessionStore({ clock });
    audit = [];
    prompts = 0;
    codes = [];
  });
  afterEach(() => { store.dispose(); mfaSessions.dispose(); clientsMade.splice(0).forEach((c) => c.destroy()); });

  const ports = (): MultiAccountPorts => ({
    baseSts: aws.clients.stsForMfa(),
    stsFor: (credentials) => {
      const c = new AwsClients({ ...aws.clients.options, credentials });
      clientsMade.push(c);
      return c.sts();
    },
    mfaSessions, store, clock,
    audit: { append: async (r) => { audit.push(r); return { v: 1, ts: '', ...r } as never; } },
    promptCode: async () => { prompts++; const c = String(nextCode++); codes.push(c); return c; },
  });
  const request = (targets = ROLES.map((r) => ({ roleArn: arn(r) }))): MultiAccountRequest => ({
    targets, playbook: 'read_only_investigation', incidentId: 'INC-2024-001', justification: 'three accounts at once', requester: 'alice', mfaSerial: SERIAL,
  });

  it('exactly one GetSessionToken with the code, then one AssumeRole per account with those credentials and no code', async () => {
    const r = await elevateSeveral(request(), ports());
    assert.ok(r.ok);
    assert.deepStrictEqual(r.results.filter((x) => !x.ok), []);
    assert.strictEqual(prompts, 1);
    const gst = aws.fake.calls('GetSessionToken');
    assert.strictEqual(gst.length, 1);
    assert.strictEqual(gst[0].params.TokenCode, codes[0]);
    assert.strictEqual(gst[0].params.SerialNumber, SERIAL);
    const ar = aws.fake.calls('AssumeRole');
    assert.deepStrictEqual(ar.map((c) => c.params.RoleArn).sort(), ROLES.map(arn).sort());
    for (const c of ar) {
      assert.strictEqual(c.params.TokenCode, undefined, 'the code is never sent twice');
      assert.strictEqual(c.params.SerialNumber, undefined);
      assert.strictEqual(c.params.DurationSeconds, undefined, 'at 1 h DurationSeconds is AssumeRole\'s default, left out for console sign-in');
      assert.notStrictEqual(c.accessKeyId, 'AKIAIOSFODNN7EXAMPLE', 'signed with the MFA session, not the base keys');
      assert.strictEqual(c.accessKeyId, ar[0].accessKeyId);
    }
    assert.strictEqual(r.results.filter((x) => x.ok).length, 3);
    assert.strictEqual(store.live().length, 3);
    assert.ok(store.live().every((s) => Date.parse(s.expiresAt) - clock.now() <= 3600_000), 'capped at 1 hour');
    // Every derived session is audited with the same incident and linked to the MFA session.
    const granted = audit.filter((a) => a.event === 'granted');
    assert.strictEqual(granted.length, 3);
    assert.ok(granted.every((g) => g.incidentId === 'INC-2024-001' && g.details?.mfaSession === r.mfaSession.id));
    assert.strictEqual(audit.filter((a) => a.event === 'requested').length, 3);
    assert.ok(!JSON.stringify(audit).includes(codes[0]), 'no MFA code in the audit log');
    // The MFA session is in the SecretStore (SecretStorage in the extension), not anywhere else.
    assert.ok([...secrets.data.keys()].includes('breakglass.mfaSession'));
  });

  it('one account refusing never loses the others', async () => {
    const targets = [...ROLES.map((r) => ({ roleArn: arn(r) })), { roleArn: 'arn:aws:iam::121212121212:role/NOT-THERE' }];
    const r = await elevateSeveral(request(targets), ports());
    assert.ok(r.ok);
    const failed = r.results.filter((x) => !x.ok);
    assert.strictEqual(failed.length, 1);
    assert.strictEqual(failed[0].roleArn, 'arn:aws:iam::121212121212:role/NOT-THERE');
    assert.ok(!failed[0].ok && failed[0].error.message.length > 0);
    assert.strictEqual(store.live().length, 3);
    assert.strictEqual(audit.filter((a) => a.event === 'failed').length, 1);
    assert.strictEqual(aws.fake.calls('GetSessionToken').length, 1);
  });

  it('re-elevation while the MFA session is valid needs no new code (and no GetSessionToken)', async () => {
    const first = await elevateSeveral(request(), ports());
    assert.ok(first.ok && !first.mfaSession.reused);
    aws.fake.reset();
    clock.advance(50 * 60_000);
    const again = await elevateSeveral(request([{ roleArn: arn(ROLES[0]) }]), ports());
    assert.ok(again.ok && again.mfaSession.reused && again.mfaSession.id === first.mfaSession.id);
    assert.strictEqual(prompts, 1);
    assert.strictEqual(aws.fake.calls('GetSessionToken').length, 0);
    assert.strictEqual(aws.fake.calls('AssumeRole').length, 1);
  });

  it('the MFA session expires: wiped from memory and the SecretStore, and the next elevation asks for a code', async () => {
    const r = await elevateSeveral({ ...request(), mfaSessionSeconds: 3600 }, ports());
    assert.ok(r.ok);
    assert.ok(await mfaSessions.info());
    clock.advance(3600_000 + 1000);
    assert.strictEqual(await mfaSessions.info(), undefined);
    assert.ok(!secrets.data.has('breakglass.mfaSession'), 'wiped from the SecretStore at expiry');
    aws.fake.reset();
    const again = await elevateSeveral(request([{ roleArn: arn(ROLES[1]) }]), ports());
    assert.ok(again.ok && !again.mfaSession.reused);
    assert.strictEqual(prompts, 2);
    assert.strictEqual(aws.fake.calls('GetSessionToken')[0].params.TokenCode, codes[1]);
  });

  it('wipe() (revocation) forgets the MFA session', async () => {
    await elevateSeveral(request([{ roleArn: arn(ROLES[0]) }]), ports());
    await mfaSessions.wipe();
    assert.strictEqual(await mfaSessions.get(SERIAL), undefined);
    assert.strictEqual(secrets.data.size, 0);
  });

  it('pre-flight refuses more than 1 hour and bad targets before any code is asked for', async () => {
    const r = await elevateSeveral({ ...request([{ roleArn: 'nope' }, { roleArn: arn(ROLES[0]) }]), durationSeconds: 7200 }, ports());
    assert.ok(!r.ok);
    assert.ok(r.problems.some((p) => /at most 1 hour/.test(p.message)));
    assert.ok(r.problems.some((p) => p.field === 'roleArn' && p.roleArn === 'nope'));
    assert.strictEqual(prompts, 0);
    assert.strictEqual(aws.fake.requests.length, 0);
  });

  it('a wrong code fails once, translated, and nothing is assumed', async () => {
    aws.fake.setBehaviour('GetSessionToken', 'wrongMfa', { times: 1 });
    await assert.rejects(elevateSeveral(request(), ports()), (e: Error & { translated?: { code: string } }) => e.translated?.code === 'MfaInvalid');
    assert.strictEqual(aws.fake.calls('AssumeRole').length, 0);
    assert.strictEqual(await mfaSessions.info(), undefined);
  });
});
