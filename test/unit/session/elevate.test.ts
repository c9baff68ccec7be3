import * as assert from 'assert';
import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { elevate, maxSessionDuration, planElevation, sanitizeSessionName, tokenHash, transliterate, withTokenCode, type ElevationInput } from '../../../src/core/session/elevate';
import { BreakGlassError } from '../../../src/core/aws/errors';
import { sessionPolicyPlaintextSize, MAX_SESSION_POLICY_PLAINTEXT } from '../../../src/core/policy/limits';
import { SESSION_POLICY_TEMPLATES } from '../../../src/core/templates';
import { FakeClock } from './fake-clock';
import type { ResolvedPlaybook } from '../../../src/core/playbooks';

/** A built-in playbook as resolvePlaybook returns it. */
const builtin = (name: string): ResolvedPlaybook => {
  const t = SESSION_POLICY_TEMPLATES[name];
  return { ref: { kind: 'builtin', name }, name, policy: t.policy, policyArns: [], maxDuration: t.maxDuration };
};
/** A policy-file playbook. */
const fromFile = (name: string, extra: Partial<ResolvedPlaybook>): ResolvedPlaybook => ({ ref: { kind: 'file', file: `/tmp/${name}.json` }, name, policyArns: [], ...extra });

const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
const SERIAL = 'arn:aws:iam::111122223333:mfa/alice';
const base: ElevationInput = {
  roleArn: ROLE, playbook: builtin('containment_actions'), incidentId: 'INC-2024-001', justification: 'Contain compromised EC2 instance i-0abc',
  requester: 'alice@example.com', mfaSerial: SERIAL, tokenCode: '123456', region: 'us-east-1',
};

function problems(input: Partial<ElevationInput>): Array<{ field: string; message: string }> {
  const r = planElevation({ ...base, ...input });
  return r.ok ? [] : r.problems;
}

describe('session/planElevation (pre-flight)', () => {
  it('forms the exact AssumeRole input', () => {
    const r = planElevation(base);
    assert.ok(r.ok);
    assert.deepStrictEqual(r.plan.input, {
      RoleArn: ROLE,
      RoleSessionName: 'INC-2024-001-alice@example.com',
      DurationSeconds: 7200,
      Policy: JSON.stringify(SESSION_POLICY_TEMPLATES.containment_actions.policy),
      Tags: [
        { Key: 'IncidentId', Value: 'INC-2024-001' },
        { Key: 'SessionPolicyType', Value: 'containment_actions' },
        { Key: 'Requester', Value: 'alice@example.com' },
      ],
      SourceIdentity: 'alice@example.com',
      SerialNumber: SERIAL,
      TokenCode: '123456',
    });
    assert.ok(!/\s/.test(r.plan.input.Policy ?? ' '), 'minified');
    assert.deepStrictEqual(r.plan.notes, []);
  });

  it('incident ID: required, pattern with an example, configurable pattern', () => {
    assert.match(problems({ incidentId: '' })[0].message, /e\.g\. INC-2024-001/);
    const p = problems({ incidentId: 'inc 42' });
    assert.strictEqual(p[0].field, 'incidentId');
    assert.match(p[0].message, /does not match.*e\.g\. INC-2024-001/);
    assert.deepStrictEqual(problems({ incidentId: '4711', incidentPattern: /^\d+$/, incidentExample: '4711' }), []);
  });

  it('justification: required, trimmed, bounded', () => {
    assert.strictEqual(problems({ justification: '   ' })[0].field, 'justification');
    assert.match(problems({ justification: 'x'.repeat(1001) })[0].message, /under 1000/);
  });

  it('MFA: exactly 6 digits, device required with a code, and for MFA roles', () => {
    for (const code of ['12345', '1234567', 'abcdef', '12 456']) assert.strictEqual(problems({ tokenCode: code })[0]?.field, 'tokenCode', code);
    assert.strictEqual(problems({ mfaSerial: undefined })[0].field, 'mfaSerial');
    assert.strictEqual(problems({ tokenCode: undefined })[0].field, 'tokenCode');
    assert.strictEqual(problems({ tokenCode: undefined, mfaSerial: undefined, mfaRequired: true })[0].field, 'tokenCode');
    assert.deepStrictEqual(problems({ tokenCode: undefined, mfaSerial: undefined }), []);
    assert.strictEqual(problems({ mfaSerial: 'bad' })[0].field, 'mfaSerial');
  });

  it('duration: default from playbook, range 900–43200, clamped to role max and to 1 h for role chaining (with notes)', () => {
    assert.match(problems({ durationSeconds: 899 })[0].message, /900.*43200/);
    assert.strictEqual(problems({ durationSeconds: 43201 })[0].field, 'durationSeconds');
    assert.strictEqual(problems({ durationSeconds: 1000.5 })[0].field, 'durationSeconds');
    let r = planElevation({ ...base, playbook: builtin('read_only_investigation'), roleMaxSessionDuration: 3600 });
    assert.ok(r.ok);
    assert.strictEqual(r.plan.input.DurationSeconds, 3600);
    assert.match(r.plan.notes[0], /clamped from 4 h to 1 h: the role's MaxSessionDuration is 1 h/);
    r = planElevation({ ...base, durationSeconds: 5400, baseIsRoleSession: true });
    assert.ok(r.ok);
    assert.strictEqual(r.plan.input.DurationSeconds, 3600);
    assert.match(r.plan.notes.join(' '), /role chaining/);
    r = planElevation({ ...base, durationSeconds: 10800 });
    assert.ok(r.ok);
    assert.strictEqual(r.plan.input.DurationSeconds, 7200, 'not longer than the playbook allows');
    r = planElevation({ ...base, durationSeconds: 1800 });
    assert.ok(r.ok && r.plan.input.DurationSeconds === 1800);
  });

  it('session policy: 2,048 plaintext characters incl. ARNs, at most 10 ARNs', () => {
    const big = { Version: '2012-10-17', Statement: Array.from({ length: 40 }, (_, i) => ({ Effect: 'Allow' as const, Action: `ec2:DescribeThing${i}`, Resource: '*' })) };
    assert.ok(sessionPolicyPlaintextSize(big, []) > MAX_SESSION_POLICY_PLAINTEXT);
    const p = problems({ playbook: fromFile('big', { policy: big }) });
    assert.strictEqual(p[0].field, 'policy');
    assert.match(p[0].message, /characters.*2048.*wildcard/);
    const arns = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`);
    assert.match(problems({ playbook: fromFile('many', { policyArns: arns }) })[0].message, /at most 10/);
    assert.strictEqual(problems({ policyArns: ['not-an-arn'] })[0].field, 'policyArns');
    assert.strictEqual(sessionPolicyPlaintextSize(undefined, ['arn:aws:iam::aws:policy/ReadOnlyAccess']), 38);
  });

  it('tags: requester and playbook must fit the session-tag charset and length', () => {
    assert.strictEqual(problems({ requester: 'alice<script>' })[0].field, 'requester');
    assert.strictEqual(problems({ requester: 'a'.repeat(257) })[0].field, 'requester');
    assert.strictEqual(problems({ requester: '' })[0].field, 'requester');
    assert.strictEqual(problems({ playbook: fromFile('bad!name', { policy: SESSION_POLICY_TEMPLATES.emergency_admin.policy }) })[0].field, 'playbook');
    assert.strictEqual(problems({ playbook: undefined as unknown as ResolvedPlaybook })[0].field, 'playbook');
  });

  it('RoleSessionName / SourceIdentity are sanitised to [\\w+=,.@-]{2,64}', () => {
    const r = planElevation({ ...base, requester: 'Alice Smith/SOC: ' + 'x'.repeat(80) });
    assert.ok(r.ok);
    assert.match(r.plan.input.RoleSessionName, /^[\w+=,.@-]{2,64}$/);
    assert.match(r.plan.input.SourceIdentity ?? '', /^[\w+=,.@-]{2,64}$/);
    assert.strictEqual(sanitizeSessionName('a'), 'a_');
  });

  it('RoleSessionName: incident, requester and the unique suffix, which is never cut off', () => {
    let r = planElevation({ ...base, sessionSuffix: 'k3x9a2f' });
    assert.ok(r.ok);
    assert.strictEqual(r.plan.input.RoleSessionName, 'INC-2024-001-alice@example.com-k3x9a2f');
    r = planElevation({ ...base, requester: 'a'.repeat(80), sessionSuffix: 'k3x9a2f' });
    assert.ok(r.ok);
    assert.strictEqual(r.plan.input.RoleSessionName.length, 64);
    assert.match(r.plan.input.RoleSessionName, /-k3x9a2f$/);
  });

  it('readable transliteration of non-Latin names', () => {
    assert.strictEqual(transliterate('Алёна Петрова'), 'Alena Petrova');
    assert.strictEqual(transliterate('Jörg Åström, Łukasz Żółć, Søren Ærø, Straße'), 'Jorg Astrom, Lukasz Zolc, Soren AEro, Strasse');
    assert.strictEqual(transliterate('Γιώργος'), 'Giorgos');
    assert.strictEqual(sanitizeSessionName('Алёна Петрова', '_'), 'Alena_Petrova');
  });

  it('session policy ARNs must be AWS managed or in the role\'s account and partition', () => {
    // AssumeRole PolicyArns: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
    const p = problems({ policyArns: ['arn:aws:iam::444455556666:policy/Isolate'] });
    assert.strictEqual(p[0].field, 'policyArns');
    assert.match(p[0].message, /belongs to account 444455556666.*role's account 111122223333/);
    assert.match(problems({ policyArns: ['arn:aws-cn:iam::aws:policy/ReadOnlyAccess'] })[0].message, /aws-cn partition/);
    assert.deepStrictEqual(problems({ policyArns: ['arn:aws:iam::111122223333:policy/Isolate', 'arn:aws:iam::aws:policy/ReadOnlyAccess'] }), []);
  });

  it('the code can follow the pre-flight: withTokenCode validates it and adds device and code', () => {
    const r = planElevation({ ...base, tokenCode: undefined, codeFollows: true });
    assert.ok(r.ok);
    assert.strictEqual(r.plan.input.TokenCode, undefined);
    assert.strictEqual(r.plan.mfaSerial, SERIAL);
    assert.deepStrictEqual(withTokenCode(r.plan, '12a456'), { ok: false, problems: [{ field: 'tokenCode', message: 'The MFA code must be exactly 6 digits, as shown on your device.' }] });
    const w = withTokenCode(r.plan, ' 654321 ');
    assert.ok(w.ok);
    assert.deepStrictEqual([w.plan.input.SerialNumber, w.plan.input.TokenCode, w.plan.mfaSerial], [SERIAL, '654321', undefined]);
    assert.strictEqual(problems({ tokenCode: undefined, mfaSerial: undefined, mfaRequired: true, codeFollows: true })[0].field, 'mfaSerial');
  });

  it('maxSessionDuration: the least of playbook, role and role chaining', () => {
    assert.strictEqual(maxSessionDuration({}), 43200);
    assert.strictEqual(maxSessionDuration({ playbookMax: 14400, roleMax: 28800 }), 14400);
    assert.strictEqual(maxSessionDuration({ playbookMax: 14400, roleMax: 7200, chained: true }), 3600);
  });

  it('role ARN and region partition are checked', () => {
    assert.strictEqual(problems({ roleArn: 'arn:aws:iam::1:role/x' })[0].field, 'roleArn');
    assert.strictEqual(problems({ region: 'cn-north-1' })[0].field, 'region');
  });
});

describe('session/elevate (one AssumeRole, mocked SDK)', () => {
  // Created in before(), not at load time: mockClient patches every STSClient, and other suites use real ones.
  let sts: ReturnType<typeof mockClient>;
  before(() => { sts = mockClient(STSClient); });
  after(() => sts.restore());
  beforeEach(() => sts.reset());

  it('sends exactly the planned input, exactly once, and nothing else', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAEXAMPLEEXAMPLE12', SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', SessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE', Expiration: new Date('2024-05-01T14:00:00Z') },
      PackedPolicySize: 12,
    });
    const r = planElevation(base);
    assert.ok(r.ok);
    const clock = new FakeClock();
    const e = await elevate(r.plan, { sts: new STSClient({ region: 'us-east-1' }), clock, newId: () => 'sess-1' });
    assert.strictEqual(sts.calls().length, 1, 'only one call');
    assert.deepStrictEqual(sts.commandCalls(AssumeRoleCommand)[0].args[0].input, r.plan.input);
    assert.deepStrictEqual(e.session, {
      id: 'sess-1', accountId: '111122223333', roleArn: ROLE, roleName: 'BREAK-GLASS-INCIDENT_RESPONDER', playbook: 'containment_actions',
      incidentId: 'INC-2024-001', justification: base.justification, requester: 'alice@example.com', sourceIdentity: 'alice@example.com',
      roleSessionName: 'INC-2024-001-alice@example.com', playbookRef: { kind: 'builtin', name: 'containment_actions' }, issuedAt: '2024-05-01T12:00:00.000Z', expiresAt: '2024-05-01T14:00:00.000Z',
      tokenHash: tokenHash('IQoJb3JpZ2luX2VjEXAMPLE'), accessKeyId: 'ASIAEXAMPLEEXAMPLE12', region: 'us-east-1', state: 'active',
    });
    assert.match(e.session.tokenHash, /^[0-9a-f]{16}$/);
    assert.strictEqual(e.credentials.secretAccessKey, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    assert.strictEqual(e.packedPolicySize, 12);
  });

  it('translates failures (wrong MFA) into BreakGlassError', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('MultiFactorAuthentication failed with invalid MFA one time pass code. '), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const r = planElevation(base);
    assert.ok(r.ok);
    await assert.rejects(elevate(r.plan, { sts: () => new STSClient({ region: 'us-east-1' }) }), (e: unknown) => e instanceof BreakGlassError && e.translated.code === 'MfaInvalid');
    assert.strictEqual(sts.calls().length, 1);
  });

  it('is cancellable: an aborted signal sends nothing', async () => {
    const r = planElevation(base);
    assert.ok(r.ok);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(elevate(r.plan, { sts: new STSClient({ region: 'us-east-1' }), abortSignal: ac.signal }), (e: unknown) => e instanceof BreakGlassError && e.translated.code === 'Aborted');
    assert.strictEqual(sts.calls().length, 0);
  });
});
