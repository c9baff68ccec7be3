// "Export instead of apply": one CloudFormation template per account with exactly the roles, users and policies
// `provision --apply` creates. The one thing it leaves out is the console password: a password in a template is a
// secret in a file (and in the stack's parameters); set it with `breakglass provision --apply` (shown once) or in
// the console. The template says so in its Metadata.
import type { DesiredAccount } from './desired';
import { alertingCloudFormation, type AlertingOptions } from '../trail/alerting';
import { approvalsCloudFormation } from '../approvals/table';

/** What else an account's template carries: the break-glass alerting (issue 11), the approvals table (issue 12). */
export interface TemplateExtras {
  /** EventBridge rules on break-glass AssumeRole / ConsoleLogin → SNS topic (+ filter and alarm with a log group). */
  alerting?: AlertingOptions;
  /** The approvals table (and its topic), in the security account. */
  approvals?: { table: string; topicName?: string };
}

export interface CfnTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Metadata: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs: Record<string, { Value: unknown; Description: string }>;
}

/** A CloudFormation logical id: alphanumeric, unique within the template. */
function logicalId(prefix: string, name: string, used: Set<string>): string {
  const base = `${prefix}${name.replace(/[^A-Za-z0-9]/g, ' ').split(' ').filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join('')}`.slice(0, 250);
  let id = base;
  for (let i = 2; used.has(id); i++) id = `${base}${i}`;
  used.add(id);
  return id;
}

const tags = (t: Record<string, string>) => Object.entries(t).map(([Key, Value]) => ({ Key, Value }));

export function cloudFormationTemplate(account: DesiredAccount, extras: TemplateExtras = {}): CfnTemplate {
  const used = new Set<string>();
  const Resources: CfnTemplate['Resources'] = {};
  const Outputs: CfnTemplate['Outputs'] = {};
  for (const r of account.roles) {
    const id = logicalId('Role', r.name, used);
    Resources[id] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: r.name, Path: r.path, Description: r.description, AssumeRolePolicyDocument: r.trustPolicy,
        MaxSessionDuration: r.maxSessionDuration, ...(r.permissionsBoundary ? { PermissionsBoundary: r.permissionsBoundary } : {}),
        ManagedPolicyArns: [...r.managedPolicies],
        Policies: Object.entries(r.inlinePolicies).map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument })),
        Tags: tags(r.tags),
      },
    };
    Outputs[`${id}Arn`] = { Value: { 'Fn::GetAtt': [id, 'Arn'] }, Description: `Incident-response role ${r.name} (template ${r.template})` };
  }
  for (const u of account.users) {
    const id = logicalId('User', u.name, used);
    Resources[id] = {
      Type: 'AWS::IAM::User',
      Properties: {
        UserName: u.name, Path: u.path, Tags: tags(u.tags),
        Policies: Object.entries(u.inlinePolicies).map(([PolicyName, PolicyDocument]) => ({ PolicyName, PolicyDocument })),
      },
    };
    Outputs[`${id}Arn`] = { Value: { 'Fn::GetAtt': [id, 'Arn'] }, Description: `Break-glass user of ${u.responder}` };
  }
  if (extras.alerting) Object.assign(Resources, alertingCloudFormation(extras.alerting));
  if (extras.approvals) Object.assign(Resources, approvalsCloudFormation(extras.approvals) as CfnTemplate['Resources']);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Break Glass incident-response access for ${account.name} (${account.accountId}) — SEC10-BP05 pre-provisioned access`,
    Metadata: {
      BreakGlass: {
        AccountId: account.accountId,
        ConsolePasswords: account.users.length
          ? 'Not in this template (a password in a template is a secret in a file). After the stack is created, run `breakglass provision --apply` to set each user\'s random password (shown once), then enrol an MFA device for each user.'
          : undefined,
      },
    },
    Resources,
    Outputs,
  };
}
