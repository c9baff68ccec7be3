// Trust-policy analysis on good and bad policies. Semantics checked against the IAM User Guide:
//  - aws:MultiFactorAuthPresent is absent for long-term keys; BoolIfExists / "false" let such requests through:
//    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
//    (and https://repost.aws/knowledge-center/mfa-iam-user-aws-cli: "If the MultiFactorAuthPresent key isn't present,
//    IfExists evaluates the condition element as true")
//  - aws:MultiFactorAuthAge, compared with a numeric operator (NumericLessThan 3600 = MFA within the hour):
//    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthage
//  - session tags need sts:TagSession in the trust policy:
//    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
//  - a source identity needs sts:SetSourceIdentity:
//    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
import * as assert from 'assert';
import { trustPolicyFor } from '../../../src/core/provision/desired';
import { analyzeTrust, type TrustExpectation } from '../../../src/core/provision/trust';

const SEC = '999988887777';
const EXPECT: TrustExpectation = { securityAccountId: SEC, partition: 'aws', trustedPrincipalArns: [`arn:aws:iam::${SEC}:user/incident-response/*-BREAK-GLASS`], mfaMaxAgeSeconds: 3600 };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures mutate nested policy JSON freely
const good = () => trustPolicyFor({ ...EXPECT, users: [] }, 'aws') as unknown as { Statement: Array<Record<string, any>> };
const failing = (doc: unknown) => analyzeTrust(doc, EXPECT).filter((f) => f.status !== 'pass').map((f) => `${f.status} ${f.check}`);
const reason = (doc: unknown, check: string) => analyzeTrust(doc, EXPECT).find((f) => f.check === check)!.reason;

describe('provision/trust analysis', () => {
  it('the generated trust policy passes every check', () => {
    assert.deepStrictEqual(analyzeTrust(good(), EXPECT).map((f) => `${f.status} ${f.check}`),
      ['pass trust.assumeRole', 'pass trust.principals', 'pass trust.mfa', 'pass trust.mfaAge', 'pass trust.tagSession', 'pass trust.sourceIdentity']);
  });

  it('BoolIfExists on aws:MultiFactorAuthPresent fails: long-term keys carry no MFA context and pass', () => {
    const p = good();
    p.Statement[0].Condition.BoolIfExists = p.Statement[0].Condition.Bool;
    delete p.Statement[0].Condition.Bool;
    assert.deepStrictEqual(failing(p), ['fail trust.mfa']);
    assert.match(reason(p, 'trust.mfa'), /uses BoolIfExists, which lets requests signed with long-term access keys/);
  });

  it('a "false" value fails, and so does a missing MFA condition', () => {
    const f = good();
    f.Statement[0].Condition.Bool['aws:MultiFactorAuthPresent'] = 'false';
    assert.deepStrictEqual(failing(f), ['fail trust.mfa']);
    assert.match(reason(f, 'trust.mfa'), /aws:MultiFactorAuthPresent "false" — it must be "true"/);
    const m = good();
    delete m.Statement[0].Condition.Bool;
    assert.match(reason(m, 'trust.mfa'), /no aws:MultiFactorAuthPresent condition/);
  });

  it('condition keys match case-insensitively; a boolean true value counts as "true"', () => {
    const p = good();
    p.Statement[0].Condition.Bool = { 'AWS:multifactorauthpresent': true };
    assert.deepStrictEqual(failing(p), []);
  });

  it('a missing MFA-age bound fails; a wider bound than configured warns; NumericGreaterThan does not bound', () => {
    const m = good();
    delete m.Statement[0].Condition.NumericLessThan;
    assert.deepStrictEqual(failing(m), ['fail trust.mfaAge']);
    assert.match(reason(m, 'trust.mfaAge'), /no aws:MultiFactorAuthAge bound, so an MFA sign-in of any age is accepted/);
    const w = good();
    w.Statement[0].Condition.NumericLessThan['aws:MultiFactorAuthAge'] = '43200';
    assert.deepStrictEqual(failing(w), ['warn trust.mfaAge']);
    assert.match(reason(w, 'trust.mfaAge'), /accepts MFA up to 43200 s old; configured 3600 s/);
    const g = good();
    g.Statement[0].Condition.NumericGreaterThan = g.Statement[0].Condition.NumericLessThan;
    delete g.Statement[0].Condition.NumericLessThan;
    assert.deepStrictEqual(failing(g), ['fail trust.mfaAge']);
  });

  it('principals wider than configured fail: "*", another account, the whole security account, a Service', () => {
    const star = good();
    star.Statement[0].Principal = '*';
    assert.deepStrictEqual(failing(star), ['fail trust.principals']);
    assert.match(reason(star, 'trust.principals'), /"\*" \(any AWS principal\)/);
    const other = good();
    other.Statement[0].Principal = { AWS: 'arn:aws:iam::123456789012:root' };
    assert.match(reason(other, 'trust.principals'), /wider than configured: arn:aws:iam::123456789012:root/);
    const whole = good();
    delete whole.Statement[0].Condition.ArnLike;
    assert.match(reason(whole, 'trust.principals'), /every principal of account 999988887777 \(configured/);
    const wider = good();
    wider.Statement[0].Condition.ArnLike['aws:PrincipalArn'] = `arn:aws:iam::${SEC}:user/*`;
    assert.match(reason(wider, 'trust.principals'), /matching arn:aws:iam::999988887777:user\/\*/);
    const svc = good();
    svc.Statement[0].Principal = { AWS: `arn:aws:iam::${SEC}:root`, Service: 'ec2.amazonaws.com' };
    assert.match(reason(svc, 'trust.principals'), /Service ec2\.amazonaws\.com/);
  });

  it('a named break-glass user as principal is within the configured pattern', () => {
    const p = good();
    p.Statement[0].Principal = { AWS: `arn:aws:iam::${SEC}:user/incident-response/alice-BREAK-GLASS` };
    delete p.Statement[0].Condition.ArnLike;
    assert.deepStrictEqual(failing(p), []);
  });

  it('missing sts:TagSession / sts:SetSourceIdentity fail with why; sts:* warns', () => {
    const p = good();
    p.Statement[0].Action = 'sts:AssumeRole';
    assert.deepStrictEqual(failing(p), ['fail trust.tagSession', 'fail trust.sourceIdentity']);
    assert.match(reason(p, 'trust.tagSession'), /STS refuses the elevation without it/);
    const s = good();
    s.Statement[0].Action = 'sts:*';
    assert.deepStrictEqual(failing(s), ['warn trust.actions']);
  });

  it('the SEC10-BP05 reference trust policy fails principals, TagSession and SourceIdentity', () => {
    const reference = {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SEC}:root` }, Action: 'sts:AssumeRole',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' }, StringLike: { 'aws:userid': '*:*-BREAK-GLASS' } },
      }],
    };
    assert.deepStrictEqual(failing(reference), ['fail trust.principals', 'fail trust.tagSession', 'fail trust.sourceIdentity']);
  });

  it('a second Allow statement without MFA makes the whole policy fail; NotPrincipal fails; garbage is a failure, not a pass', () => {
    const p = good();
    p.Statement.push({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SEC}:user/incident-response/bob-BREAK-GLASS` }, Action: 'sts:AssumeRole' });
    assert.deepStrictEqual(failing(p), ['fail trust.mfa', 'fail trust.mfaAge']);
    const n = good();
    n.Statement[0].NotPrincipal = { AWS: 'arn:aws:iam::123456789012:root' };
    assert.ok(failing(n).includes('fail trust.principals'));
    assert.deepStrictEqual(failing(undefined), ['fail trust.document']);
    assert.deepStrictEqual(failing({ Statement: [{ Effect: 'Maybe' }] }), ['fail trust.document']);
    assert.deepStrictEqual(failing({ Statement: [{ Effect: 'Allow', Principal: { AWS: SEC }, Action: 's3:GetObject' }] }), ['fail trust.assumeRole']);
  });

  it('MFA required by a Deny with BoolIfExists "false" for every principal passes; the same Deny for one principal does not', () => {
    const p = good();
    delete p.Statement[0].Condition.Bool;
    p.Statement.push({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } });
    assert.deepStrictEqual(failing(p), []);
    assert.match(reason(p, 'trust.mfa'), /a Deny refuses sts:AssumeRole with BoolIfExists/);
    p.Statement[1].Principal = { AWS: `arn:aws:iam::${SEC}:user/incident-response/bob-BREAK-GLASS` };
    assert.deepStrictEqual(failing(p), ['fail trust.mfa']);
  });

  it('the MFA-age bound follows the configuration', () => {
    const strict: TrustExpectation = { ...EXPECT, mfaMaxAgeSeconds: 900 };
    const doc = trustPolicyFor({ ...strict, users: [] }, 'aws');
    assert.deepStrictEqual(analyzeTrust(doc, strict).filter((f) => f.status !== 'pass'), []);
    assert.deepStrictEqual(analyzeTrust(good(), strict).filter((f) => f.status !== 'pass').map((f) => f.check), ['trust.mfaAge']);
  });
});
