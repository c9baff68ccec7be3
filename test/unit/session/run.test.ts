// runElevation — the one elevation both front ends run — against the local STS/IAM endpoint (AWS's wire format).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BreakGlassError } from '../../../src/core/aws/errors';
import { AuditLog, type AuditRecord } from '../../../src/core/audit/log';
import type { PlaybookRef } from '../../../src/core/playbooks';
import type { ElevationGate } from '../../../src/core/session/gate';
import { requesterFromArn, runElevation, type ElevationOutcome, type ElevationPorts, type ElevationRequest, type MfaPrompt } from '../../../src/core/session/run';
import { SessionStore } from '../../../src/core/session/store';
import { MemorySecretStore, type Session } from '../../../src/core/session/types';
import { useFakeAws } from '../helpers/aws';

const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
const SERIAL = 'arn:aws:iam::111122223333:mfa/alice';
const containment: PlaybookRef = { kind: 'builtin', name: 'containment_actions' };

describe('session/runElevation (local STS/IAM endpoint)', () => {
  const aws = useFakeAws();
  let dir: string;
  let code = 300000;
  const nextCode = () => String(++code);
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-run-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const request = (extra: Partial<ElevationRequest> = {}): ElevationRequest => ({
    roleArn: ROLE, playbook: containment, incidentId: 'INC-2024-001', justification: 'Contain i-0abc', mfaSerial: SERIAL, region: 'us-east-1', ...extra,
  });
  let n = 0;
  /** Ports with a fresh audit log; the prompt records what AWS had been asked when it opened. */
  const ports = (extra: Partial<ElevationPorts> = {}) => {
    const audit = new AuditLog(path.join(dir, `audit-${++n}.jsonl`));
    const prompts: Array<{ ask: MfaPrompt; callsBefore: string[] }> = [];
    const code = nextCode();
    const p: ElevationPorts = {
      clients: aws.clients, audit, readPlaybookFile: (f) => fs.promises.readFile(f, 'utf8'),
      promptMfaCode: async (ask) => { prompts.push({ ask, callsBefore: aws.fake.requests.map((r) => r.action) }); return code; },
      ...extra,
    };
    return { p, audit, prompts, code, records: async (): Promise<AuditRecord[]> => (await audit.read()).records };
  };
  const granted = (o: ElevationOutcome) => {
    assert.strictEqual(o.status, 'granted', JSON.stringify(o));
    return o as Extract<ElevationOutcome, { status: 'granted' }>;
  };

  it('checks the caller and the role before the prompt, then makes exactly one AssumeRole; the audit records name the session', async () => {
    const store = new SessionStore({ secrets: new MemorySecretStore() });
    const t = ports({ store });
    const o = granted(await runElevation(request({ durationSeconds: 7200 }), t.p));
    await o.durable;
    // GetCallerIdentity and GetRole go out together, before the prompt; then the one AssumeRole.
    assert.deepStrictEqual(t.prompts.map((x) => [...x.callsBefore].sort()), [['GetCallerIdentity', 'GetRole']], 'GetCallerIdentity before the prompt, never after');
    assert.deepStrictEqual(aws.fake.requests.map((r) => r.action).slice(2), ['AssumeRole']);
    const p = aws.fake.calls('AssumeRole')[0].params;
    assert.strictEqual(p.TokenCode, t.code);
    assert.strictEqual(p.SerialNumber, SERIAL);
    assert.strictEqual(p.SourceIdentity, 'alice', 'the requester is the caller identity, not the OS user');
    assert.strictEqual(p['Tags.member.3.Value'], 'alice');
    assert.match(p.RoleSessionName, /^INC-2024-001-alice-[a-z0-9]{6,8}$/);
    assert.strictEqual(store.get(o.session.id)?.state, 'active');
    const recs = await t.records();
    assert.deepStrictEqual(recs.map((r) => r.event), ['requested', 'granted']);
    for (const r of recs) assert.strictEqual(r.roleSessionName, p.RoleSessionName, 'every record maps to the CloudTrail session name');
    assert.strictEqual(recs[0].details?.caller, 'arn:aws:iam::111122223333:user/alice');
    const text = fs.readFileSync(t.audit.file, 'utf8');
    for (const secret of [o.credentials.secretAccessKey, o.credentials.sessionToken, t.code]) assert.ok(!text.includes(secret));
    store.dispose();
  });

  it('a session of at most 1 h needs no iam:GetRole (every role allows 1 h)', async () => {
    granted(await runElevation(request({ durationSeconds: 3600 }), ports().p));
    assert.deepStrictEqual(aws.fake.requests.map((r) => r.action), ['GetCallerIdentity', 'AssumeRole']);
  });

  it('RoleSessionName is unique per session', async () => {
    const a = granted(await runElevation(request(), ports().p));
    const b = granted(await runElevation(request(), ports().p));
    assert.notStrictEqual(a.session.roleSessionName, b.session.roleSessionName);
  });

  it('role chaining is detected from the caller identity in every case and caps the session at 1 h before the prompt', async () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html#iam-term-role-chaining: a role assumed by a role session is limited to 1 h.
    for (const [caller, requester] of [
      ['arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Responder_0123456789abcdef/carol@example.com', 'carol@example.com'],
      ['arn:aws:sts::111122223333:assumed-role/ec2-jump-host/i-0abc123', 'ec2-jump-host/i-0abc123'],
      ['arn:aws:sts::111122223333:assumed-role/ecs-task-role/5f2b0c1de0a44', 'ecs-task-role/5f2b0c1de0a44'],
    ]) {
      aws.fake.reset();
      aws.fake.setCaller(caller);
      const t = ports();
      const o = granted(await runElevation(request({ durationSeconds: 7200 }), t.p));
      assert.strictEqual(t.prompts[0].ask.plan.input.DurationSeconds, 3600, `${caller}: clamped before the prompt`);
      assert.match(o.notes.join(' '), /role chaining/);
      assert.strictEqual(aws.fake.calls('AssumeRole')[0].params.DurationSeconds, '3600');
      assert.strictEqual(o.session.requester, requester);
      assert.strictEqual(requesterFromArn(caller), requester);
    }
  });

  it('learns the role maximum from iam:GetRole and clamps before the prompt; unknown maximum: 1 h with a note', async () => {
    aws.fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')!.maxSessionDuration = 5400;
    try {
      let t = ports();
      granted(await runElevation(request({ durationSeconds: 7200 }), t.p));
      assert.strictEqual(t.prompts[0].ask.plan.input.DurationSeconds, 5400);
      assert.match(t.prompts[0].ask.plan.notes.join(' '), /clamped from 2 h to 1 h 30 min: the role's MaxSessionDuration is 1 h 30 min/);
      aws.fake.reset();
      aws.fake.setBehaviour('GetRole', 'accessDenied');
      t = ports();
      const o = granted(await runElevation(request({ durationSeconds: 7200 }), t.p));
      assert.strictEqual(aws.fake.calls('AssumeRole')[0].params.DurationSeconds, '3600');
      assert.match(o.notes.join(' '), /MaxSessionDuration is unknown \(your credentials may not call iam:GetRole on it\).*maxSessionDuration/);
      // Configured: no GetRole at all.
      aws.fake.reset();
      granted(await runElevation(request({ durationSeconds: 7200, roleMaxSessionDuration: 5400 }), ports().p));
      assert.deepStrictEqual(aws.fake.requests.map((r) => r.action), ['GetCallerIdentity', 'AssumeRole']);
    } finally {
      aws.fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')!.maxSessionDuration = 28800;
    }
  });

  it('a role in another account than the caller: what iam:GetRole says does not count (it reads the caller\'s account)', async () => {
    aws.fake.setCaller('arn:aws:iam::999988887777:user/alice');
    const t = ports();
    granted(await runElevation(request({ durationSeconds: 7200 }), t.p));
    assert.match(t.prompts[0].ask.plan.notes.join(' '), /the role is in account 111122223333, your credentials in 999988887777/);
    assert.strictEqual(aws.fake.calls('AssumeRole')[0].params.DurationSeconds, '3600', 'the AWS default when the maximum is unknown');
  });

  it('PolicyArns from another account than the role are refused before anything is sent', async () => {
    const t = ports();
    const o = await runElevation(request({ policyArns: ['arn:aws:iam::444455556666:policy/Isolate'] }), t.p);
    assert.strictEqual(o.status, 'refused');
    assert.match((o as { problems: Array<{ message: string }> }).problems[0].message, /belongs to account 444455556666.*AWS managed or in the role's account 111122223333/);
    assert.deepStrictEqual(aws.fake.requests, []);
    assert.deepStrictEqual(t.prompts, []);
    // AWS managed and same-account ARNs pass.
    granted(await runElevation(request({ policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }), ports().p));
  });

  it('a trust policy without sts:TagSession or sts:SetSourceIdentity: one sentence naming the permission and the statement', async () => {
    const role = aws.fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')!;
    try {
      for (const [trust, missing] of [[['sts:AssumeRole'], 'sts:TagSession'], [['sts:AssumeRole', 'sts:TagSession'], 'sts:SetSourceIdentity']] as const) {
        role.trustActions = [...trust];
        const t = ports();
        const o = await runElevation(request(), t.p);
        assert.strictEqual(o.status, 'failed');
        const { error } = o as Extract<ElevationOutcome, { status: 'failed' }>;
        assert.strictEqual(error.code, 'TrustPolicyIncomplete');
        assert.strictEqual(error.title, `Trust policy lacks ${missing}`);
        assert.match(error.message, new RegExp(`allows sts:AssumeRole but not ${missing}.*"Action": \\["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"\\]\\.$`));
        assert.strictEqual(error.message.split('. ').length, 1, 'one sentence');
        assert.strictEqual((await t.records())[1].reason?.code, 'TrustPolicyIncomplete');
      }
    } finally {
      delete role.trustActions;
    }
  });

  it('credentials that come back expired are reported and not registered; much shorter ones are not called granted', async () => {
    const store = new SessionStore({ secrets: new MemorySecretStore() });
    aws.fake.setIssuedLifetime(-30);
    let t = ports({ store });
    const expired = await runElevation(request({ durationSeconds: 7200 }), t.p);
    assert.strictEqual(expired.status, 'failed');
    assert.strictEqual((expired as Extract<ElevationOutcome, { status: 'failed' }>).error.title, 'Session expired on arrival');
    assert.deepStrictEqual(store.list(), []);
    assert.deepStrictEqual((await t.records()).map((r) => r.event), ['requested', 'failed']);
    aws.fake.setIssuedLifetime(900);
    t = ports({ store });
    const short = granted(await runElevation(request({ durationSeconds: 7200 }), t.p));
    await short.durable;
    assert.match(short.shortened ?? '', /AWS issued a session of 15 min instead of the 2 h asked for/);
    const g = (await t.records())[1];
    assert.deepStrictEqual([g.event, g.details?.shortened], ['granted', true]);
    assert.ok(Math.abs(Number(g.details?.grantedSeconds) - 900) <= 2, String(g.details?.grantedSeconds));
    store.dispose();
  });

  it('an audit log that cannot be written refuses before the prompt, also with the code given up front', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, 'a file where the log folder should be');
    for (const tokenCode of [undefined, nextCode()]) {
      aws.fake.reset();
      const t = ports({ audit: new AuditLog(path.join(blocker, 'audit.jsonl')) });
      const o = await runElevation(request({ tokenCode }), t.p);
      assert.strictEqual(o.status, 'refused');
      assert.match((o as { problems: Array<{ field: string; message: string }> }).problems[0].message, /audit log .* cannot be written \(E\w+\).*No MFA code was used/);
      assert.deepStrictEqual(t.prompts, []);
      assert.deepStrictEqual(aws.fake.calls('AssumeRole'), []);
    }
  });

  it('left at the prompt: nothing sent, nothing recorded', async () => {
    const t = ports({ promptMfaCode: async () => undefined });
    assert.deepStrictEqual(await runElevation(request(), t.p), { status: 'cancelled' });
    assert.deepStrictEqual(aws.fake.calls('AssumeRole'), []);
    assert.deepStrictEqual(await t.records(), []);
  });

  it('cancel during the STS call writes a failed record saying AWS may have issued a session', async () => {
    aws.fake.setBehaviour('AssumeRole', 'ok', { delayMs: 5000 });
    const ac = new AbortController();
    const t = ports({ abortSignal: ac.signal, onAssumeRole: () => {
      // Abort once the request is at the endpoint (a state, not a time).
      const poll = setInterval(() => { if (aws.fake.calls('AssumeRole').length) { clearInterval(poll); ac.abort(); } }, 5);
    } });
    const o = await runElevation(request(), t.p);
    assert.strictEqual(o.status, 'failed');
    assert.strictEqual((o as Extract<ElevationOutcome, { status: 'failed' }>).mayHaveIssued, true);
    const recs = await t.records();
    assert.deepStrictEqual(recs.map((r) => r.event), ['requested', 'failed']);
    assert.strictEqual(recs[1].reason?.code, 'Aborted');
    assert.match(recs[1].reason?.message ?? '', /AWS may have issued a session/);
    assert.strictEqual(recs[1].details?.mayHaveIssued, true);
  });

  it('a silent endpoint runs into the deadline: failed, never granted', async () => {
    aws.fake.setBehaviour('AssumeRole', 'ok', { delayMs: 60_000 });
    const t = ports({ timeoutMs: 400 });
    const o = await runElevation(request(), t.p);
    assert.strictEqual(o.status, 'failed');
    const f = o as Extract<ElevationOutcome, { status: 'failed' }>;
    assert.strictEqual(f.error.title, 'AWS did not answer in time');
    assert.ok(f.mayHaveIssued);
    assert.match((await t.records())[1].reason?.message ?? '', /may have issued/);
  });

  it('non-Latin requesters keep a readable transliteration in SourceIdentity and RoleSessionName', async () => {
    const o = granted(await runElevation(request({ requester: 'Алёна Петрова' }), ports().p));
    const p = aws.fake.calls('AssumeRole')[0].params;
    assert.strictEqual(p.SourceIdentity, 'Alena_Petrova');
    assert.match(p.RoleSessionName, /^INC-2024-001-Alena-Petrova-/);
    assert.strictEqual(p['Tags.member.3.Value'], 'Алёна Петрова', 'session tags accept Unicode letters');
    assert.strictEqual(o.session.requester, 'Алёна Петрова');
    granted(await runElevation(request({ requester: 'Jörg Åström-Łukasz' }), ports().p));
    assert.strictEqual(aws.fake.calls('AssumeRole')[1].params.SourceIdentity, 'Jorg_Astrom-Lukasz');
  });

  it('server error text reaches the responder without control characters', async () => {
    aws.fake.setBehaviour('AssumeRole', { status: 500, code: 'InternalFailure', message: 'boom\u001b[2J\u001b]0;pwned\u0007 \u202eevil' });
    const o = await runElevation(request(), ports().p);
    assert.strictEqual(o.status, 'failed');
    const msg = (o as Extract<ElevationOutcome, { status: 'failed' }>).error.message;
    assert.match(msg, /boom/);
    assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/.test(msg), JSON.stringify(msg));
  });

  describe('the approval gate', () => {
    const gate = (refuse = false) => {
      const calls: string[] = [];
      const g: ElevationGate = {
        async reserve(plan) {
          calls.push(`reserve ${plan.incidentId}`);
          if (refuse) throw new BreakGlassError({ code: 'AccessDenied', title: 'Not approved', message: 'No approval for INC-2024-001 yet.', retryable: true });
          return { commit: async (s: Session) => { calls.push(`commit ${s.id}`); }, release: async () => { calls.push('release'); } };
        },
      };
      return { g, calls };
    };

    it('a refusing gate stops the elevation before the prompt', async () => {
      const { g, calls } = gate(true);
      const t = ports({ gate: g });
      const o = await runElevation(request(), t.p);
      assert.deepStrictEqual(o, { status: 'refused', problems: [{ field: 'approval', message: 'Not approved: No approval for INC-2024-001 yet.' }],
        error: { code: 'AccessDenied', title: 'Not approved', message: 'No approval for INC-2024-001 yet.', retryable: true } });
      assert.deepStrictEqual(t.prompts, []);
      assert.deepStrictEqual(aws.fake.calls('AssumeRole'), []);
      assert.deepStrictEqual(calls, ['reserve INC-2024-001']);
    });

    it('commit once after a grant; release once after a refusal or a cancelled prompt', async () => {
      let { g, calls } = gate();
      const o = granted(await runElevation(request(), ports({ gate: g, newId: () => 's-1' }).p));
      await o.durable;
      assert.deepStrictEqual(calls, ['reserve INC-2024-001', 'commit s-1']);
      ({ g, calls } = gate());
      aws.fake.setBehaviour('AssumeRole', 'wrongMfa', { times: 1 });
      assert.strictEqual((await runElevation(request(), ports({ gate: g }).p)).status, 'failed');
      assert.deepStrictEqual(calls, ['reserve INC-2024-001', 'release']);
      ({ g, calls } = gate());
      assert.strictEqual((await runElevation(request(), ports({ gate: g, promptMfaCode: async () => undefined }).p)).status, 'cancelled');
      assert.deepStrictEqual(calls, ['reserve INC-2024-001', 'release']);
    });
  });
});
