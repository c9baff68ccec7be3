// aws:PrincipalArn of a role session keeps the role's path; set operators that do not fit a key's cardinality are
// flagged by lint and reported as uncertain by evaluation; resource-based / SCP / RCP grammar.
import * as assert from 'assert';
import { contextLookup, principalContext } from '../../../src/core/policy/conditions';
import { evaluate, type RequestContext } from '../../../src/core/policy/evaluate';
import { lintPolicy } from '../../../src/core/policy/lint';
import { validatePolicy } from '../../../src/core/policy/parse';
import type { NamedPolicy, PolicyDocument } from '../../../src/core/policy/types';

const V = '2012-10-17';
const SESSION = 'arn:aws:sts::111122223333:assumed-role/BREAK-GLASS-IR/INC-1';
const doc = (...Statement: Array<Record<string, unknown>>) => ({ Version: V, Statement }) as unknown as PolicyDocument;
const named = (document: PolicyDocument): NamedPolicy => ({ name: 'p', document });

describe('policy/principal ARN and key cardinality', () => {
  describe('aws:PrincipalArn of a role session', () => {
    // "For IAM roles, the request context returns the ARN of the role, not the ARN of the user that assumed the role"
    // — the role's ARN includes its path (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn,
    // IAM identifiers: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
    const pathed = 'arn:aws:iam::111122223333:role/incident-response/BREAK-GLASS-IR';
    it('is the role ARN with its path when the role ARN is known', () => {
      assert.strictEqual(principalContext(SESSION, pathed)['aws:principalarn'], pathed);
      assert.strictEqual(contextLookup({ principal: SESSION, roleArn: pathed, action: 's3:GetObject', resource: '*', context: {} })('aws:principalarn'), pathed);
      // A role ARN of another role (or account) is not used.
      assert.strictEqual(principalContext(SESSION, 'arn:aws:iam::111122223333:role/x/OTHER')['aws:principalarn'], 'arn:aws:iam::111122223333:role/BREAK-GLASS-IR');
    });

    it('an Allow on role/BREAK-GLASS-* does not match a role under /incident-response/, as in AWS', () => {
      const allow = named(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/BREAK-GLASS-*' } } }));
      const req = (roleArn?: string): RequestContext => ({ principal: SESSION, roleArn, action: 's3:GetObject', resource: '*', context: {} });
      assert.strictEqual(evaluate(req(pathed), { identity: [allow] }).decision, 'ImplicitDeny');
      assert.strictEqual(evaluate(req('arn:aws:iam::111122223333:role/BREAK-GLASS-IR'), { identity: [allow] }).decision, 'Allowed');
      // Unknown path: the "/" guess is used, and the statement is reported as uncertain.
      const unknown = evaluate(req(), { identity: [allow] });
      assert.strictEqual(unknown.decision, 'Allowed');
      assert.match(unknown.uncertain[0].reason, /role path is unknown/);
      // An explicit aws:PrincipalArn in the context settles it.
      const explicit = evaluate({ ...req(), context: { 'aws:PrincipalArn': pathed } }, { identity: [allow] });
      assert.deepStrictEqual([explicit.decision, explicit.uncertain], ['ImplicitDeny', []]);
    });
  });

  describe('set operators and key cardinality', () => {
    // "Multivalued context keys require a condition set operator. Do not use condition set operators ForAllValues or
    // ForAnyValue with single-valued context keys. Using condition set operators with single-valued context keys can
    // lead to overly permissive policies."
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    it('lint flags a multivalued key without a set operator and a set operator on a single-valued key', () => {
      const text = JSON.stringify(doc(
        { Effect: 'Allow', Action: 'ec2:CreateTags', Resource: '*', Condition: { StringEquals: { 'aws:TagKeys': 'Incident' }, StringLike: { 'aws:CalledVia': 'athena.*' } } },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:RequestedRegion': 'us-east-1' } } },
        { Effect: 'Allow', Action: 'ec2:CreateTags', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'Incident' }, StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } },
      ));
      const findings = lintPolicy(text).filter((f) => f.code === 'multivalued-without-set-operator' || f.code === 'set-operator-single-valued');
      assert.deepStrictEqual(findings.map((f) => [f.code, f.path]), [
        ['multivalued-without-set-operator', 'Statement[0].Condition.StringEquals.aws:TagKeys'],
        ['multivalued-without-set-operator', 'Statement[0].Condition.StringLike.aws:CalledVia'],
        ['set-operator-single-valued', 'Statement[1].Condition.ForAllValues:StringEquals.aws:RequestedRegion'],
      ]);
      assert.match(findings[2].message, /can lead to overly permissive policies/);
      assert.ok(findings.every((f) => f.severity === 'warning' && f.position));
    });

    it('evaluation marks such statements uncertain when the request makes them matter, without changing the decision', () => {
      const forAll = named(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:RequestedRegion': 'us-east-1' } } }));
      const absent = evaluate({ action: 's3:GetObject', resource: '*', context: {} }, { identity: [forAll] });
      // ForAllValues is true for an absent key (the documented, overly permissive meaning) — flagged.
      assert.strictEqual(absent.decision, 'Allowed');
      assert.match(absent.uncertain[0].reason, /ForAllValues:StringEquals on the single-valued key aws:RequestedRegion, which the request does not carry/);
      const present = evaluate({ action: 's3:GetObject', resource: '*', context: { 'aws:RequestedRegion': 'us-east-1' } }, { identity: [forAll] });
      assert.deepStrictEqual([present.decision, present.uncertain], ['Allowed', []]);

      const plain = named(doc({ Sid: 'Tags', Effect: 'Deny', Action: 'ec2:CreateTags', Resource: '*', Condition: { StringEquals: { 'aws:TagKeys': 'Incident' } } }));
      const two = evaluate({ action: 'ec2:CreateTags', resource: '*', context: { 'aws:TagKeys': ['Incident', 'Owner'] } }, { identity: [plain] });
      assert.deepStrictEqual(two.uncertain.map((u) => [u.sid, u.layer]), [['Tags', 'identity']]);
      assert.match(two.uncertain[0].reason, /has 2 values here/);
      const one = evaluate({ action: 'ec2:CreateTags', resource: '*', context: { 'aws:TagKeys': ['Incident'] } }, { identity: [plain] });
      assert.deepStrictEqual(one.uncertain, []);
    });
  });

  describe('grammar by policy kind', () => {
    const errors = (d: unknown, kind: 'identity' | 'resource' | 'scp' | 'rcp') => validatePolicy(d, kind).filter((p) => p.severity === 'error').map((p) => p.message);
    it('resource-based policies need a Principal; wildcards inside a principal ARN are refused', () => {
      // "You cannot use a wildcard to match part of a principal name or ARN"
      // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)
      assert.deepStrictEqual(errors(doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/IR' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), 'resource'), []);
      assert.deepStrictEqual(errors(doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }), 'resource'), []);
      assert.match(errors(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), 'resource')[0], /must name a Principal/);
      assert.match(errors(doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/IR-*' }, Action: 's3:GetObject', Resource: '*' }), 'resource')[0], /cannot use a wildcard/);
      assert.match(errors(doc({ Effect: 'Allow', Principal: { AWS: 'alice' }, Action: 's3:GetObject', Resource: '*' }), 'resource')[0], /is not an AWS principal/);
      assert.match(errors(doc({ Effect: 'Allow', Principal: { Aws: '*' }, Action: 's3:GetObject', Resource: '*' }), 'resource')[0], /unknown principal type 'Aws'/);
    });

    it('SCPs name no Principal; RCPs need "Principal": "*" and only deny (RCPFullAWSAccess aside)', () => {
      assert.match(errors(doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }), 'scp')[0], /not allowed in a service control policy/);
      assert.deepStrictEqual(errors(doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), 'rcp'), []);
      assert.deepStrictEqual(errors(doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }), 'rcp'), []);
      assert.match(errors(doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }), 'rcp')[0], /can only Deny/);
      assert.match(errors(doc({ Effect: 'Deny', Principal: { AWS: '111122223333' }, Action: 's3:*', Resource: '*' }), 'rcp')[0], /must use "Principal": "\*"/);
      assert.match(errors(doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' }), 'rcp')[0], /must have "Principal": "\*"/);
    });
  });
});
