import * as assert from 'assert';
import {
  cidrContains, conditionBlockMatches, parseCidr, parseConditionOperator, parseDate,
} from '../../../src/core/policy/conditions';
import type { RequestContext } from '../../../src/core/policy/evaluate';

// Semantics and worked examples from "IAM JSON policy elements: Condition operators"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
// "Conditions with multiple context keys or values"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html)
// and "Single-valued vs. multivalued context keys"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).

const req = (context: Record<string, string | string[]>, principal?: string): RequestContext =>
  ({ principal, action: 's3:GetObject', resource: '*', context });
const holds = (block: unknown, context: Record<string, string | string[]>, principal?: string, variables = true) =>
  conditionBlockMatches(block, req(context, principal), variables);

describe('policy/conditions', () => {
  describe('operator names', () => {
    it('parses set qualifiers, IfExists and canonical spelling', () => {
      const p = parseConditionOperator('ForAnyValue:StringLikeIfExists');
      assert.ok(typeof p !== 'string');
      assert.deepStrictEqual([p.base.name, p.set, p.ifExists], ['StringLike', 'ForAnyValue', true]);
      const q = parseConditionOperator('stringequals');
      assert.ok(typeof q !== 'string' && q.canonical === 'StringEquals');
      assert.match(parseConditionOperator('StringEqualz') as string, /unknown condition operator/);
      assert.match(parseConditionOperator('NullIfExists') as string, /IfExists/);
      assert.match(parseConditionOperator('ForAllValues:Null') as string, /set operator/);
      assert.match(parseConditionOperator('ForSomeValues:StringEquals') as string, /set operator/);
    });
  });

  describe('string operators', () => {
    it('StringEquals is exact and case-sensitive (doc example: aws:PrincipalTag/job-category = iamuser-admin)', () => {
      const block = { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } };
      assert.ok(holds(block, { 'aws:PrincipalTag/job-category': 'iamuser-admin' }));
      assert.ok(!holds(block, { 'aws:PrincipalTag/job-category': 'IAMUser-Admin' }));
      assert.ok(!holds(block, {}), 'a missing key makes a positive operator false');
    });

    it('condition key names are case-insensitive, values are not', () => {
      assert.ok(holds({ StringEquals: { 'AWS:REQUESTEDREGION': 'us-east-1' } }, { 'aws:RequestedRegion': 'us-east-1' }));
      assert.ok(!holds({ StringEquals: { 'aws:RequestedRegion': 'US-EAST-1' } }, { 'aws:RequestedRegion': 'us-east-1' }));
    });

    it('StringNotEquals: the value must match none of the values (NOR), and a missing key is true', () => {
      const block = { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } };
      assert.ok(holds(block, { 'aws:RequestedRegion': 'eu-west-1' }));
      assert.ok(!holds(block, { 'aws:RequestedRegion': 'us-west-2' }));
      assert.ok(holds(block, {}), 'negated operators with a missing key evaluate to true');
    });

    it('StringEqualsIgnoreCase / StringNotEqualsIgnoreCase fold case', () => {
      assert.ok(holds({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/dept': 'Finance' } }, { 'aws:PrincipalTag/dept': 'FINANCE' }));
      assert.ok(!holds({ StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/dept': 'Finance' } }, { 'aws:PrincipalTag/dept': 'finance' }));
      assert.ok(holds({ StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/dept': 'Finance' } }, { 'aws:PrincipalTag/dept': 'hr' }));
    });

    it('StringLike / StringNotLike take * and ? (doc example: s3:prefix home/${aws:username}/*)', () => {
      const block = { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/*'] } };
      const alice = 'arn:aws:iam::111122223333:user/alice';
      assert.ok(holds(block, { 's3:prefix': 'home/alice/notes.txt' }, alice));
      assert.ok(holds(block, { 's3:prefix': '' }, alice));
      assert.ok(!holds(block, { 's3:prefix': 'home/bob/notes.txt' }, alice));
      assert.ok(holds({ StringLike: { 'ec2:ResourceTag/env': 'pro?-*' } }, { 'ec2:ResourceTag/env': 'prod-eu' }));
      assert.ok(!holds({ StringNotLike: { 'ec2:ResourceTag/env': 'prod-*' } }, { 'ec2:ResourceTag/env': 'prod-eu' }));
      assert.ok(holds({ StringNotLike: { 'ec2:ResourceTag/env': 'prod-*' } }, {}));
    });

    it('StringEquals does not treat * as a wildcard', () => {
      assert.ok(!holds({ StringEquals: { 'aws:PrincipalTag/x': 'a*' } }, { 'aws:PrincipalTag/x': 'abc' }));
      assert.ok(holds({ StringEquals: { 'aws:PrincipalTag/x': 'a*' } }, { 'aws:PrincipalTag/x': 'a*' }));
    });
  });

  describe('numeric operators', () => {
    it('compare numerically (doc example: s3:max-keys NumericLessThanEquals 10)', () => {
      const block = { NumericLessThanEquals: { 's3:max-keys': '10' } };
      assert.ok(holds(block, { 's3:max-keys': '10' }));
      assert.ok(holds(block, { 's3:max-keys': '9.5' }));
      assert.ok(!holds(block, { 's3:max-keys': '11' }));
      assert.ok(!holds(block, { 's3:max-keys': 'ten' }), 'a non-number never matches');
      assert.ok(holds({ NumericEquals: { 'k:n': 5 } }, { 'k:n': '5.0' }));
      assert.ok(holds({ NumericNotEquals: { 'k:n': ['1', '2'] } }, { 'k:n': '3' }));
      assert.ok(!holds({ NumericNotEquals: { 'k:n': ['1', '2'] } }, { 'k:n': '2' }));
      assert.ok(holds({ NumericNotEquals: { 'k:n': '1' } }, {}));
      assert.ok(holds({ NumericLessThan: { 'k:n': '3' } }, { 'k:n': '2' }));
      assert.ok(!holds({ NumericLessThan: { 'k:n': '3' } }, { 'k:n': '3' }));
      assert.ok(holds({ NumericGreaterThan: { 'k:n': '3' } }, { 'k:n': '4' }));
      assert.ok(holds({ NumericGreaterThanEquals: { 'k:n': '3' } }, { 'k:n': '3' }));
      assert.ok(!holds({ NumericGreaterThanEquals: { 'k:n': '3' } }, { 'k:n': '-3' }));
    });
  });

  describe('date operators', () => {
    it('parse ISO 8601 and epoch seconds, in UTC unless an offset is given', () => {
      assert.strictEqual(parseDate('2020-01-01T00:00:00Z'), Date.UTC(2020, 0, 1));
      assert.strictEqual(parseDate('2020-01-01'), Date.UTC(2020, 0, 1));
      assert.strictEqual(parseDate('2020-01-01T00:00:00'), Date.UTC(2020, 0, 1));
      assert.strictEqual(parseDate('2020-01-01T01:00:00+01:00'), Date.UTC(2020, 0, 1));
      assert.strictEqual(parseDate('1577836800'), Date.UTC(2020, 0, 1));
      assert.strictEqual(parseDate('2020-01-01T00:00:00.500Z'), Date.UTC(2020, 0, 1) + 500);
      assert.strictEqual(parseDate('yesterday'), undefined);
      assert.strictEqual(parseDate('2020-13-01'), undefined);
    });

    it('compare instants (doc example: aws:TokenIssueTime DateGreaterThan 2020-01-01T00:00:01Z)', () => {
      const block = { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } };
      assert.ok(holds(block, { 'aws:TokenIssueTime': '2020-06-30T12:00:00Z' }));
      assert.ok(!holds(block, { 'aws:TokenIssueTime': '2019-12-31T23:59:59Z' }));
      assert.ok(!holds(block, {}));
      assert.ok(holds({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '1700000000' }));
      assert.ok(holds({ DateEquals: { 'aws:CurrentTime': '1577836800' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }));
      assert.ok(holds({ DateNotEquals: { 'aws:CurrentTime': '1577836800' } }, { 'aws:CurrentTime': '2021-01-01T00:00:00Z' }));
      assert.ok(holds({ DateLessThanEquals: { 'aws:CurrentTime': '2020-01-01' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }));
      assert.ok(holds({ DateGreaterThanEquals: { 'aws:CurrentTime': '2020-01-01' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }));
      assert.ok(!holds({ DateGreaterThanEquals: { 'aws:CurrentTime': '2020-01-01' } }, { 'aws:CurrentTime': 'not a date' }));
    });
  });

  describe('Bool', () => {
    it('compares true/false case-insensitively (doc example: aws:SecureTransport)', () => {
      const block = { Bool: { 'aws:SecureTransport': 'true' } };
      assert.ok(holds(block, { 'aws:SecureTransport': 'true' }));
      assert.ok(holds(block, { 'aws:SecureTransport': 'TRUE' }));
      assert.ok(!holds(block, { 'aws:SecureTransport': 'false' }));
      assert.ok(!holds(block, {}));
      assert.ok(holds({ Bool: { 'aws:MultiFactorAuthPresent': true } }, { 'aws:MultiFactorAuthPresent': 'true' }));
    });

    it('BoolIfExists false: true when MFA is absent or false — the classic deny-without-MFA pattern', () => {
      const block = { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } };
      assert.ok(holds(block, {}));
      assert.ok(holds(block, { 'aws:MultiFactorAuthPresent': 'false' }));
      assert.ok(!holds(block, { 'aws:MultiFactorAuthPresent': 'true' }));
    });
  });

  describe('BinaryEquals', () => {
    it('compares base64 values by their bytes', () => {
      const block = { BinaryEquals: { 'key:bin': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } };
      assert.ok(holds(block, { 'key:bin': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' }));
      assert.ok(!holds(block, { 'key:bin': Buffer.from('other').toString('base64') }));
      assert.ok(!holds(block, { 'key:bin': '***' }));
    });
  });

  describe('IP address operators', () => {
    it('parse and test IPv4 and IPv6 CIDR blocks', () => {
      const net4 = parseCidr('203.0.113.0/24')!;
      assert.ok(cidrContains(net4, parseCidr('203.0.113.77')!));
      assert.ok(!cidrContains(net4, parseCidr('203.0.114.1')!));
      assert.ok(cidrContains(parseCidr('0.0.0.0/0')!, parseCidr('8.8.8.8')!));
      const net6 = parseCidr('2001:DB8:1234:5678::/64')!;
      assert.ok(cidrContains(net6, parseCidr('2001:db8:1234:5678:abcd::1')!));
      assert.ok(!cidrContains(net6, parseCidr('2001:db8:1234:5679::1')!));
      assert.ok(!cidrContains(net4, parseCidr('2001:db8::1')!));
      assert.ok(cidrContains(net4, parseCidr('::ffff:203.0.113.9')!), 'an IPv4-mapped IPv6 address is its IPv4 address');
      assert.strictEqual(parseCidr('300.1.1.1'), undefined);
      assert.strictEqual(parseCidr('10.0.0.0/33'), undefined);
      assert.strictEqual(parseCidr('1::2::3'), undefined);
    });

    it('IpAddress / NotIpAddress (doc example: 203.0.113.0/24 and 2001:DB8:1234:5678::/64)', () => {
      const block = { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } };
      assert.ok(holds(block, { 'aws:SourceIp': '203.0.113.10' }));
      assert.ok(holds(block, { 'aws:SourceIp': '2001:db8:1234:5678::99' }));
      assert.ok(!holds(block, { 'aws:SourceIp': '198.51.100.1' }));
      assert.ok(!holds(block, {}));
      const not = { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } };
      assert.ok(holds(not, { 'aws:SourceIp': '198.51.100.1' }));
      assert.ok(!holds(not, { 'aws:SourceIp': '203.0.113.1' }));
      assert.ok(holds(not, {}));
      assert.ok(!holds(not, { 'aws:SourceIp': 'garbage' }), 'an invalid request value matches neither form');
    });
  });

  describe('ARN operators', () => {
    it('ArnLike / ArnEquals match each ARN part with wildcards (doc example: aws:SourceArn)', () => {
      for (const op of ['ArnLike', 'ArnEquals']) {
        const block = { [op]: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:111122223333:trail/*' } };
        assert.ok(holds(block, { 'aws:SourceArn': 'arn:aws:cloudtrail:us-east-2:111122223333:trail/main' }), op);
        assert.ok(!holds(block, { 'aws:SourceArn': 'arn:aws:cloudtrail:us-east-2:444455556666:trail/main' }), op);
        assert.ok(!holds(block, { 'aws:SourceArn': 'not-an-arn' }), op);
      }
    });

    it('ArnNotLike / ArnNotEquals: none may match; a missing key is true', () => {
      for (const op of ['ArnNotLike', 'ArnNotEquals']) {
        const block = { [op]: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/BreakGlass*' } };
        assert.ok(!holds(block, { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/BreakGlassAdmin' }), op);
        assert.ok(holds(block, { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/Dev' }), op);
        assert.ok(holds(block, {}), op);
      }
    });

    it('aws:PrincipalArn is derived from an assumed-role session principal', () => {
      const block = { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/IR' } };
      assert.ok(holds(block, {}, 'arn:aws:sts::111122223333:assumed-role/IR/INC-1'));
      assert.ok(!holds(block, {}, 'arn:aws:sts::111122223333:assumed-role/Dev/x'));
    });
  });

  describe('Null', () => {
    it('"true" means the key is absent, "false" that it is present (doc example: aws:TokenIssueTime)', () => {
      assert.ok(holds({ Null: { 'aws:TokenIssueTime': 'true' } }, {}));
      assert.ok(!holds({ Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }));
      assert.ok(holds({ Null: { 'aws:TokenIssueTime': 'false' } }, { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }));
      assert.ok(!holds({ Null: { 'aws:TokenIssueTime': false } }, {}));
      assert.ok(holds({ Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] }), 'an empty list is absent');
    });
  });

  describe('IfExists', () => {
    it('is true when the key is missing and tests normally when present (doc example: ec2:InstanceType)', () => {
      const block = { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } };
      assert.ok(holds(block, {}));
      assert.ok(holds(block, { 'ec2:InstanceType': 't2.micro' }));
      assert.ok(!holds(block, { 'ec2:InstanceType': 'p4d.24xlarge' }));
      for (const op of ['NumericLessThanIfExists', 'DateLessThanIfExists', 'IpAddressIfExists', 'ArnLikeIfExists',
        'StringEqualsIfExists', 'BinaryEqualsIfExists', 'StringNotEqualsIfExists', 'StringEqualsIgnoreCaseIfExists']) {
        assert.ok(holds({ [op]: { 'svc:absent': '10' } }, {}), op);
      }
    });
  });

  describe('multiple operators, keys and values', () => {
    it('ANDs operators and keys, ORs values (doc: "Evaluation logic for multiple context keys or values")', () => {
      const block = {
        StringEquals: { 'aws:PrincipalTag/department': ['finance', 'hr', 'legal'], 'aws:PrincipalTag/role': ['audit', 'security'] },
        ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::222222222222:user/Ana', 'arn:aws:iam::222222222222:user/Mary'] },
      };
      const ana = 'arn:aws:iam::222222222222:user/Ana';
      assert.ok(holds(block, { 'aws:PrincipalTag/department': 'hr', 'aws:PrincipalTag/role': 'audit' }, ana));
      assert.ok(!holds(block, { 'aws:PrincipalTag/department': 'hr' }, ana), 'every key must hold');
      assert.ok(!holds(block, { 'aws:PrincipalTag/department': 'hr', 'aws:PrincipalTag/role': 'audit' }, 'arn:aws:iam::222222222222:user/Bob'));
      assert.ok(!holds(block, { 'aws:PrincipalTag/department': 'it', 'aws:PrincipalTag/role': 'audit' }, ana));
    });

    it('an empty block holds; a malformed block never does', () => {
      assert.ok(holds({}, {}));
      assert.ok(!holds({ StringEqualz: { 'a:b': 'c' } }, { 'a:b': 'c' }));
      assert.ok(!holds({ StringEquals: { 'a:b': [] } }, { 'a:b': 'c' }));
      assert.ok(!holds({ StringEquals: 'x' }, {}));
    });
  });

  describe('set operators', () => {
    const tags = (...t: string[]) => ({ 'aws:TagKeys': t });
    it('ForAllValues: every request value must match one policy value; a missing or empty key is true', () => {
      const block = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['DataClass', 'Owner'] } };
      assert.ok(holds(block, tags('DataClass')));
      assert.ok(holds(block, tags('DataClass', 'Owner')));
      assert.ok(!holds(block, tags('DataClass', 'Dept')));
      assert.ok(holds(block, {}));
      assert.ok(holds(block, tags()));
    });

    it('ForAnyValue: at least one request value must match; a missing key is false', () => {
      const block = { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['DataClass', 'Owner'] } };
      assert.ok(holds(block, tags('DataClass', 'Dept')));
      assert.ok(!holds(block, tags('Dept', 'SIC')));
      assert.ok(!holds(block, {}));
      assert.ok(!holds(block, tags()));
      assert.ok(holds({ 'ForAnyValue:StringLike': { 'aws:TagKeys': 'Created*' } }, tags('x', 'CreatedBy')));
    });

    it('negated operators under set qualifiers test each request value against none of the policy values', () => {
      const all = { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['DataClass', 'Owner'] } };
      assert.ok(holds(all, tags('Dept', 'SIC')));
      assert.ok(!holds(all, tags('Dept', 'DataClass')));
      assert.ok(holds(all, {}));
      const any = { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['DataClass', 'Owner'] } };
      assert.ok(holds(any, tags('Dept', 'DataClass')));
      assert.ok(!holds(any, tags('DataClass', 'Owner')));
      assert.ok(!holds(any, {}), 'ForAnyValue with a missing key is false even for a negated operator');
    });

    it('a single request value works like a one-element set', () => {
      assert.ok(holds({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': 'a' }));
      assert.ok(holds({ 'ForAllValues:StringLike': { 'aws:TagKeys': 'a*' } }, { 'aws:TagKeys': 'abc' }));
    });

    it('without a set qualifier, a multivalued key matches if any value matches (negated: if none does)', () => {
      assert.ok(holds({ StringEquals: { 'aws:TagKeys': 'Owner' } }, tags('Dept', 'Owner')));
      assert.ok(!holds({ StringEquals: { 'aws:TagKeys': 'Owner' } }, tags('Dept', 'SIC')));
      assert.ok(!holds({ StringNotEquals: { 'aws:TagKeys': 'Owner' } }, tags('Dept', 'Owner')));
      assert.ok(holds({ StringNotEquals: { 'aws:TagKeys': 'Owner' } }, tags('Dept', 'SIC')));
    });
  });

  describe('policy variables in condition values', () => {
    const alice = 'arn:aws:iam::111122223333:user/alice';
    it('are substituted (Version 2012-10-17) and literal otherwise', () => {
      const block = { StringEquals: { 's3:prefix': '${aws:username}' } };
      assert.ok(holds(block, { 's3:prefix': 'alice' }, alice));
      assert.ok(!holds(block, { 's3:prefix': 'alice' }, alice, false));
      assert.ok(holds(block, { 's3:prefix': '${aws:username}' }, alice, false));
      assert.ok(holds({ StringEquals: { 'aws:ResourceTag/owner': '${aws:PrincipalTag/owner}' } },
        { 'aws:ResourceTag/owner': 'team-a', 'aws:PrincipalTag/owner': 'team-a' }));
    });

    it('an unresolvable variable makes the condition false (even for a negated operator)', () => {
      assert.ok(!holds({ StringEquals: { 's3:prefix': '${aws:userid}' } }, { 's3:prefix': 'x' }));
      assert.ok(!holds({ StringNotEquals: { 's3:prefix': '${aws:userid}' } }, { 's3:prefix': 'x' }));
      assert.ok(holds({ StringEquals: { 's3:prefix': "${aws:userid, 'x'}" } }, { 's3:prefix': 'x' }));
    });
  });
});
