import * as assert from 'assert';
import { actionRiskReasons, assessRisks, type GrantedAction } from '../../../src/core/policy/risk';

const g = (action: string, status: GrantedAction['status'] = 'allowed', accessLevel: GrantedAction['accessLevel'] = 'Write'): GrantedAction =>
  ({ action, status, accessLevel });

describe('policy/risk', () => {
  it('flags single-action privilege escalation with a reason', () => {
    const f = assessRisks([g('iam:AttachRolePolicy', 'allowed', 'Permissions management'), g('ec2:DescribeInstances', 'allowed', 'List')]);
    const esc = f.find((x) => x.id === 'privesc:iam:AttachRolePolicy');
    assert.ok(esc);
    assert.strictEqual(esc.severity, 'high');
    assert.match(esc.reason, /attach any managed policy/);
    assert.ok(f.some((x) => x.category === 'permissions-management' && x.actions.includes('iam:AttachRolePolicy')));
  });

  it('flags combinations only when every member is granted', () => {
    assert.ok(!assessRisks([g('ec2:RunInstances')]).some((x) => x.category === 'privilege-escalation'));
    const f = assessRisks([g('ec2:RunInstances'), g('iam:PassRole', 'conditional')]);
    assert.ok(f.some((x) => x.id === 'privesc:ec2:RunInstances+iam:PassRole'));
    assert.strictEqual(f.find((x) => x.category === 'pass-role')?.severity, 'medium');
    const lambda = assessRisks([g('lambda:CreateFunction'), g('iam:PassRole'), g('lambda:InvokeFunction')]);
    assert.ok(lambda.some((x) => x.id === 'privesc:lambda:CreateFunction+iam:PassRole+lambda:InvokeFunction'));
  });

  it('flags sts:AssumeRole and exfiltration reads only on every resource', () => {
    assert.ok(assessRisks([g('sts:AssumeRole')]).some((x) => x.id === 'privesc:sts:AssumeRole'));
    assert.ok(!assessRisks([g('sts:AssumeRole', 'conditional')]).some((x) => x.id === 'privesc:sts:AssumeRole'));
    assert.ok(assessRisks([g('s3:GetObject', 'allowed', 'Read')]).some((x) => x.id === 'exfil:s3:GetObject'));
    assert.ok(!assessRisks([g('s3:GetObject', 'conditional', 'Read')]).some((x) => x.category === 'data-exfiltration'));
  });

  it('flags destructive actions and ignores what is not granted', () => {
    const f = assessRisks([g('ec2:TerminateInstances'), g('kms:ScheduleKeyDeletion'), g('s3:DeleteBucket', 'notAllowed')]);
    const d = f.find((x) => x.category === 'destructive');
    assert.deepStrictEqual(d?.actions, ['ec2:TerminateInstances', 'kms:ScheduleKeyDeletion']);
  });

  it('restricts to risks involving given actions, and sorts high first', () => {
    const granted = [g('iam:CreateAccessKey'), g('s3:GetObject', 'allowed', 'Read'), g('ec2:DeleteVolume')];
    const f = assessRisks(granted, { involving: new Set(['s3:getobject']) });
    assert.deepStrictEqual(f.map((x) => x.id), ['exfil:s3:GetObject']);
    assert.strictEqual(assessRisks(granted)[0].severity, 'high');
  });

  it('gives per-action reasons', () => {
    assert.strictEqual(actionRiskReasons('iam:PassRole', 'Write', 'allowed')[0].category, 'pass-role');
    assert.strictEqual(actionRiskReasons('ssm:SendCommand', 'Write', 'conditional')[0].category, 'privilege-escalation');
    assert.deepStrictEqual(actionRiskReasons('ec2:DescribeInstances', 'List', 'allowed'), []);
    assert.strictEqual(actionRiskReasons('s3:DeleteObject', 'Write', 'allowed')[0].category, 'destructive');
  });
});
