import * as assert from 'assert';
import { actionMatches, arnMatches, compileActionList, splitArn, wildcardMatch } from '../../../src/core/policy/match';

describe('policy/match', () => {
  describe('wildcardMatch', () => {
    it('matches * as any run (including empty) and ? as exactly one character', () => {
      assert.ok(wildcardMatch('a*c', 'ac'));
      assert.ok(wildcardMatch('a*c', 'abbbc'));
      assert.ok(wildcardMatch('a?c', 'abc'));
      assert.ok(!wildcardMatch('a?c', 'ac'));
      assert.ok(!wildcardMatch('a?c', 'abbc'));
      assert.ok(wildcardMatch('*', ''));
      assert.ok(wildcardMatch('**', 'anything'));
      assert.ok(wildcardMatch('*log*', 'bucket-logs'));
      assert.ok(wildcardMatch('home/*/private/*', 'home/alice/private/x'));
      assert.ok(!wildcardMatch('home/*/private/*', 'home/alice/public/x'));
      assert.ok(wildcardMatch('a*b*c*d', 'axxbyyczzd'));
      assert.ok(!wildcardMatch('a*b*c*d', 'axxbyyczz'));
    });

    it('is case-sensitive unless asked', () => {
      assert.ok(!wildcardMatch('Prod-*', 'prod-db'));
      assert.ok(wildcardMatch('Prod-*', 'prod-db', true));
    });

    it('treats regex metacharacters literally', () => {
      assert.ok(wildcardMatch('a.b+(c)', 'a.b+(c)'));
      assert.ok(!wildcardMatch('a.b', 'axb'));
    });

    it('answers pathological patterns (no exponential backtracking: a backtracking matcher would hang past the test timeout)', () => {
      const pattern = '*a'.repeat(30) + 'b';
      assert.ok(!wildcardMatch(pattern, 'a'.repeat(5000)));
      assert.ok(wildcardMatch(pattern, 'a'.repeat(5000) + 'b'));
    });
  });

  describe('actionMatches', () => {
    it('is case-insensitive with * and ?', () => {
      assert.ok(actionMatches('s3:GetObject', 's3:getobject'));
      assert.ok(actionMatches('S3:Get*', 's3:GetObjectAcl'));
      assert.ok(actionMatches('ec2:Describe*', 'EC2:DESCRIBEINSTANCES'));
      assert.ok(actionMatches('iam:?etUser', 'iam:GetUser'));
      assert.ok(actionMatches('*', 'kms:Decrypt'));
      assert.ok(!actionMatches('s3:Get*', 's3:PutObject'));
      assert.ok(!actionMatches('s3:GetObject', 's3:GetObjectAcl'));
    });
  });

  describe('compileActionList', () => {
    it('matches if any pattern matches (exact, prefix, general glob)', () => {
      const m = compileActionList(['s3:GetObject', 'ec2:Describe*', 'iam:*User*', 'kms:?ncrypt']);
      assert.ok(m('S3:GETOBJECT'));
      assert.ok(m('ec2:DescribeVolumes'));
      assert.ok(m('iam:ListUserPolicies'));
      assert.ok(m('kms:Encrypt'));
      assert.ok(!m('kms:Decrypt'));
      assert.ok(!m('s3:PutObject'));
      assert.ok(compileActionList(['*'])('anything:AtAll'));
      assert.ok(!compileActionList([])('s3:GetObject'));
    });
  });

  describe('ARNs', () => {
    it('splitArn keeps colons in the resource part', () => {
      assert.deepStrictEqual(splitArn('arn:aws:logs:us-east-1:111122223333:log-group:my:group:*'),
        ['arn', 'aws', 'logs', 'us-east-1', '111122223333', 'log-group:my:group:*']);
      assert.strictEqual(splitArn('arn:aws:s3'), undefined);
    });

    it('arnMatches matches each of the six parts separately, case-sensitively', () => {
      assert.ok(arnMatches('*', 'arn:aws:s3:::bucket'));
      assert.ok(arnMatches('*', '*'));
      assert.ok(arnMatches('arn:aws:s3:::forensic-evidence-*', 'arn:aws:s3:::forensic-evidence-2024'));
      assert.ok(arnMatches('arn:aws:s3:::forensic-evidence-*/*', 'arn:aws:s3:::forensic-evidence-1/disk.img'));
      assert.ok(!arnMatches('arn:aws:s3:::forensic-evidence-*', 'arn:aws:s3:::Forensic-Evidence-1'));
      assert.ok(arnMatches('arn:aws:ec2:*:111122223333:instance/*', 'arn:aws:ec2:us-west-2:111122223333:instance/i-1'));
      assert.ok(!arnMatches('arn:aws:ec2:*:111122223333:instance/*', 'arn:aws:ec2:us-west-2:444455556666:instance/i-1'));
      assert.ok(arnMatches('arn:aws:logs:*:*:log-group:app:*', 'arn:aws:logs:eu-west-1:1:log-group:app:log-stream:x'));
      // A wildcard does not span the colon between ARN parts: the region part `*` cannot eat the account.
      assert.ok(!arnMatches('arn:aws:ec2:*:instance/*', 'arn:aws:ec2:us-east-1:111122223333:instance/i-1'));
      assert.ok(arnMatches('arn:aws:iam::*:role/IR-?', 'arn:aws:iam::111122223333:role/IR-1'));
      // A non-ARN resource ("*" for actions without resource types) only matches a pattern of stars.
      assert.ok(!arnMatches('arn:aws:s3:::*', '*'));
      assert.ok(!arnMatches('arn:aws:s3:::*', 'not-an-arn'));
    });
  });
});
