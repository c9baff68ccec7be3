// Risky permissions: which granted actions let a session escalate its own privileges, hand roles to compute, read
// data out wholesale or destroy things. Used by diff.ts (what a session policy adds or removes), lint.ts (what a policy
// grants) and the preview UI.
//
// The privilege-escalation set follows the well-known IAM escalation paths (Rhino Security Labs, "AWS IAM Privilege
// Escalation – Methods and Mitigation"; AWS IAM User Guide, "Security best practices in IAM"): an identity that can
// change its own or another principal's policies or credentials, or launch compute with a more privileged role, can
// become anyone in the account.
import type { AccessLevel } from './catalog';
import type { EffectiveStatus } from './effective';

export type RiskCategory = 'privilege-escalation' | 'pass-role' | 'permissions-management' | 'data-exfiltration' | 'destructive';
export type RiskSeverity = 'high' | 'medium' | 'low';

export interface RiskFlag {
  /** Stable id of the rule, e.g. "privesc:iam:AttachRolePolicy", "exfil:s3:GetObject", "permissions-management". */
  id: string;
  category: RiskCategory;
  severity: RiskSeverity;
  /** The granted actions that make up the risk (canonical spelling). */
  actions: string[];
  /** Why this is risky, in one sentence a responder can act on. */
  reason: string;
}

/** What risk assessment needs to know about one granted action. */
export interface GrantedAction {
  action: string;
  accessLevel: AccessLevel;
  /** 'allowed' = on every resource, unconditionally; 'conditional' = only some resources / under conditions. */
  status: EffectiveStatus;
}

// ---------------------------------------------------------------------------------------------------------------
// Rule tables

/** Single actions that on their own allow privilege escalation, with why. */
export const PRIVILEGE_ESCALATION_ACTIONS: Readonly<Record<string, string>> = {
  'iam:AttachUserPolicy': 'can attach any managed policy (e.g. AdministratorAccess) to a user, including its own',
  'iam:AttachRolePolicy': 'can attach any managed policy (e.g. AdministratorAccess) to a role it can assume',
  'iam:AttachGroupPolicy': 'can attach any managed policy to a group it belongs to',
  'iam:PutUserPolicy': 'can write an inline policy granting a user anything',
  'iam:PutRolePolicy': 'can write an inline policy granting a role anything',
  'iam:PutGroupPolicy': 'can write an inline policy granting a group anything',
  'iam:CreatePolicyVersion': 'can rewrite a customer managed policy it is attached to and make the new version default',
  'iam:SetDefaultPolicyVersion': 'can switch a managed policy to an older, more permissive version',
  'iam:CreateAccessKey': 'can mint long-term access keys for another user and act as them',
  'iam:CreateLoginProfile': 'can set a console password for a user that has none and sign in as them',
  'iam:UpdateLoginProfile': "can reset another user's console password and sign in as them",
  'iam:UpdateAssumeRolePolicy': "can rewrite a role's trust policy so it can assume that role",
  'iam:AddUserToGroup': 'can add a user (itself) to a more privileged group',
  'iam:PutUserPermissionsBoundary': 'can replace the permissions boundary that limits a user',
  'iam:PutRolePermissionsBoundary': 'can replace the permissions boundary that limits a role',
  'iam:DeleteUserPermissionsBoundary': 'can remove the permissions boundary that limits a user',
  'iam:DeleteRolePermissionsBoundary': 'can remove the permissions boundary that limits a role',
  // AWS's list pairs this with iam:PassRole; on its own it already runs new code with the function's existing role.
  'lambda:UpdateFunctionCode': "can replace a Lambda function's code, which then runs with the function's execution role",
};

/** Action combinations that together allow privilege escalation through a role handed to a service. */
export const PRIVILEGE_ESCALATION_COMBOS: ReadonlyArray<{ actions: string[]; reason: string }> = [
  { actions: ['lambda:CreateFunction', 'iam:PassRole', 'lambda:InvokeFunction'], reason: 'can create a Lambda function with any passable role and invoke it, running code with that role' },
  { actions: ['lambda:CreateFunction', 'iam:PassRole', 'lambda:CreateEventSourceMapping'], reason: 'can create a Lambda function with any passable role and trigger it from an event source' },
  { actions: ['ec2:RunInstances', 'iam:PassRole'], reason: 'can launch an instance with any passable instance profile and use its role credentials' },
  { actions: ['cloudformation:CreateStack', 'iam:PassRole'], reason: 'can deploy a stack with any passable service role, creating anything that role can' },
  { actions: ['glue:CreateDevEndpoint', 'iam:PassRole'], reason: 'can create a Glue development endpoint with any passable role and log in to it' },
  { actions: ['glue:UpdateDevEndpoint'], reason: "can add an SSH key to an existing Glue development endpoint and use its role" },
  { actions: ['datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition', 'iam:PassRole'], reason: 'can run a data pipeline with any passable role' },
  { actions: ['ecs:RegisterTaskDefinition', 'ecs:RunTask', 'iam:PassRole'], reason: 'can run a container task with any passable task role' },
  { actions: ['codebuild:CreateProject', 'codebuild:StartBuild', 'iam:PassRole'], reason: 'can run a build with any passable service role' },
  { actions: ['sagemaker:CreateNotebookInstance', 'sagemaker:CreatePresignedNotebookInstanceUrl', 'iam:PassRole'], reason: 'can open a notebook running with any passable role' },
  { actions: ['ssm:SendCommand'], reason: 'can run shell commands on managed instances, with their instance roles' },
];

/** Reads that, granted on every resource, can copy an account's data out. */
export const DATA_EXFILTRATION_ACTIONS: Readonly<Record<string, string>> = {
  's3:GetObject': 'can read every object in every bucket',
  'secretsmanager:GetSecretValue': 'can read every secret',
  'ssm:GetParameter': 'can read every Parameter Store parameter, including SecureStrings',
  'ssm:GetParameters': 'can read every Parameter Store parameter, including SecureStrings',
  'ssm:GetParametersByPath': 'can read whole Parameter Store trees, including SecureStrings',
  'kms:Decrypt': 'can decrypt anything encrypted with any key whose key policy defers to IAM',
  'dynamodb:Scan': 'can read whole DynamoDB tables',
  'dynamodb:GetItem': 'can read any DynamoDB item',
  'dynamodb:Query': 'can read any DynamoDB table or index',
  'dynamodb:BatchGetItem': 'can read DynamoDB items in bulk',
  'rds:CopyDBSnapshot': 'can copy database snapshots (e.g. before sharing them)',
  'rds:ModifyDBSnapshotAttribute': 'can share database snapshots with another account',
  'rds:ModifyDBClusterSnapshotAttribute': 'can share cluster snapshots with another account',
  'ec2:ModifySnapshotAttribute': 'can share EBS snapshots with another account',
  'ec2:ModifyImageAttribute': 'can share machine images with another account',
  'ec2:GetPasswordData': 'can read the administrator password of Windows instances',
  'lambda:GetFunction': 'can download every function\'s code (and see its environment)',
  'ecr:GetDownloadUrlForLayer': 'can pull every container image layer',
  'glacier:GetJobOutput': 'can download archived data',
  'athena:GetQueryResults': 'can read query results over any data Athena can reach',
  'redshift-data:GetStatementResult': 'can read query results from any Redshift database',
  'logs:GetLogEvents': 'can read every log stream (logs often hold secrets and personal data)',
};

/** Destructive actions called out by name (in addition to every Delete*, Terminate*, Destroy*, Remove* action). */
export const DESTRUCTIVE_ACTIONS: Readonly<Record<string, string>> = {
  's3:DeleteBucket': 'can delete buckets',
  's3:PutBucketLifecycleConfiguration': 'can expire every object in a bucket with a lifecycle rule',
  'kms:ScheduleKeyDeletion': 'can schedule KMS keys for deletion, making their data unrecoverable',
  'kms:DisableKey': 'can disable KMS keys, making their data unreadable',
  'organizations:CloseAccount': 'can close member accounts',
  'account:CloseAccount': 'can close the account',
  'organizations:LeaveOrganization': 'can remove the account from the organization and its guardrails',
  'ec2:TerminateInstances': 'can terminate instances (and their instance-store data)',
  'rds:DeleteDBCluster': 'can delete database clusters',
  'cloudtrail:StopLogging': 'can stop the audit trail',
  'guardduty:DeleteDetector': 'can switch off threat detection',
  'backup:DeleteRecoveryPoint': 'can delete backups',
};

const DESTRUCTIVE_VERB = /^[^:]+:(Delete|Terminate|Destroy|Remove|Purge|Disable)/i;

// ---------------------------------------------------------------------------------------------------------------
// Assessment

const lowerKeyed = <T>(o: Readonly<Record<string, T>>): Map<string, [string, T]> =>
  new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), [k, v]]));
const PRIVESC = lowerKeyed(PRIVILEGE_ESCALATION_ACTIONS);
const EXFIL = lowerKeyed(DATA_EXFILTRATION_ACTIONS);
const DESTRUCT = lowerKeyed(DESTRUCTIVE_ACTIONS);
const SINGLE_ACTION_COMBOS = new Map(PRIVILEGE_ESCALATION_COMBOS.filter((c) => c.actions.length === 1)
  .map((c) => [c.actions[0].toLowerCase(), c.reason]));

export interface AssessOptions {
  /**
   * Only report risks that involve at least one of these actions (lower-case), e.g. the actions a session policy
   * newly grants. Combinations still need every member granted.
   */
  involving?: ReadonlySet<string>;
}

/**
 * The risks in a set of granted actions (status allowed or conditional; other statuses are ignored). Risks are grouped:
 * one flag per escalation action or combination, per exfiltration read on *, one for all Permissions management
 * actions and one for all destructive actions. Sorted high severity first.
 */
export function assessRisks(granted: Iterable<GrantedAction>, opts: AssessOptions = {}): RiskFlag[] {
  const byLower = new Map<string, GrantedAction>();
  for (const g of granted) if (g.status === 'allowed' || g.status === 'conditional') byLower.set(g.action.toLowerCase(), g);
  const involved = (actions: string[]): boolean => !opts.involving || actions.some((a) => opts.involving?.has(a.toLowerCase()));
  const flags: RiskFlag[] = [];
  const scopeNote = (g: GrantedAction): string => (g.status === 'allowed' ? ' (on all resources)' : ' (on some resources / under conditions)');

  for (const [lower, [name, reason]] of PRIVESC) {
    const g = byLower.get(lower);
    if (g && involved([name])) {
      flags.push({ id: `privesc:${name}`, category: 'privilege-escalation', severity: 'high', actions: [g.action], reason: `${g.action} ${reason}${scopeNote(g)}` });
    }
  }
  for (const combo of PRIVILEGE_ESCALATION_COMBOS) {
    const members = combo.actions.map((a) => byLower.get(a.toLowerCase()));
    if (members.every((m): m is GrantedAction => !!m) && involved(combo.actions)) {
      const names = members.map((m) => m.action);
      flags.push({ id: `privesc:${combo.actions.join('+')}`, category: 'privilege-escalation', severity: 'high', actions: names, reason: `${names.join(' + ')}: ${combo.reason}` });
    }
  }
  const assumeRole = byLower.get('sts:assumerole');
  if (assumeRole?.status === 'allowed' && involved(['sts:AssumeRole'])) {
    flags.push({ id: 'privesc:sts:AssumeRole', category: 'privilege-escalation', severity: 'high', actions: [assumeRole.action], reason: 'sts:AssumeRole on every resource: can assume any role whose trust policy trusts this account' });
  }
  const passRole = byLower.get('iam:passrole');
  if (passRole && involved(['iam:PassRole'])) {
    flags.push({
      id: 'pass-role', category: 'pass-role', severity: passRole.status === 'allowed' ? 'high' : 'medium', actions: [passRole.action],
      reason: `iam:PassRole${scopeNote(passRole)}: can hand roles to AWS services; scope it to specific role ARNs and add an iam:PassedToService condition`,
    });
  }
  for (const [lower, [, reason]] of EXFIL) {
    const g = byLower.get(lower);
    if (g?.status === 'allowed' && involved([g.action])) {
      flags.push({ id: `exfil:${g.action}`, category: 'data-exfiltration', severity: 'medium', actions: [g.action], reason: `${g.action} on every resource: ${reason}` });
    }
  }
  const perms: string[] = [];
  const destructive: string[] = [];
  for (const g of byLower.values()) {
    if (!involved([g.action])) continue;
    if (g.accessLevel === 'Permissions management') perms.push(g.action);
    if (DESTRUCTIVE_VERB.test(g.action) || DESTRUCT.has(g.action.toLowerCase())) destructive.push(g.action);
  }
  if (perms.length) {
    perms.sort();
    flags.push({ id: 'permissions-management', category: 'permissions-management', severity: 'medium', actions: perms, reason: `${perms.length} Permissions management action(s): they change who can do what (policies, grants, sharing)` });
  }
  if (destructive.length) {
    destructive.sort();
    flags.push({ id: 'destructive', category: 'destructive', severity: 'low', actions: destructive, reason: `${destructive.length} destructive action(s) (delete, terminate, disable …): mistakes mid-incident are unrecoverable` });
  }
  const rank: Record<RiskSeverity, number> = { high: 0, medium: 1, low: 2 };
  return flags.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

/** Per action: the reasons it is risky on its own (for listing risky actions one by one). */
export function actionRiskReasons(action: string, accessLevel: AccessLevel, status: EffectiveStatus): Array<{ category: RiskCategory; severity: RiskSeverity; reason: string }> {
  const lower = action.toLowerCase();
  const out: Array<{ category: RiskCategory; severity: RiskSeverity; reason: string }> = [];
  const p = PRIVESC.get(lower);
  if (p) out.push({ category: 'privilege-escalation', severity: 'high', reason: p[1] });
  if (lower === 'sts:assumerole' && status === 'allowed') out.push({ category: 'privilege-escalation', severity: 'high', reason: 'can assume any role that trusts this account' });
  if (lower === 'iam:passrole') out.push({ category: 'pass-role', severity: status === 'allowed' ? 'high' : 'medium', reason: 'can hand roles to AWS services (compute then runs with them)' });
  const single = SINGLE_ACTION_COMBOS.get(lower);
  if (single) out.push({ category: 'privilege-escalation', severity: 'high', reason: single });
  const e = EXFIL.get(lower);
  if (e && status === 'allowed') out.push({ category: 'data-exfiltration', severity: 'medium', reason: `${e[1]} (on all resources)` });
  if (accessLevel === 'Permissions management' && !p) out.push({ category: 'permissions-management', severity: 'medium', reason: 'changes who can do what' });
  const d = DESTRUCT.get(lower);
  if (d) out.push({ category: 'destructive', severity: 'low', reason: d[1] });
  else if (DESTRUCTIVE_VERB.test(action)) out.push({ category: 'destructive', severity: 'low', reason: 'destroys or disables resources' });
  return out;
}
