// What provisioning should create, computed from the workspace config and the role templates: pure data, shared by
// the plan (compared with what IAM has), the CloudFormation export and the readiness drill, so all three agree.
import type { AccountConfig, Partition, ProvisioningConfig, WorkspaceConfig } from '../config';
import type { PolicyDocument } from '../policy/types';
import type { RoleTemplate } from '../templates';

export const IR_PATH = '/incident-response/';
export const CREATED_BY = 'BreakGlass';
export const NO_PLAYBOOK = 'none';
/** The inline policy the console's "Revoke active sessions" (and `breakglass revoke`) adds; never provisioned or removed. */
export const REVOKE_POLICY = 'AWSRevokeOlderSessions';

export interface DesiredRole {
  accountId: string;
  partition: Partition;
  name: string;
  path: string;
  arn: string;
  template: string;
  playbook?: string;
  description: string;
  trustPolicy: PolicyDocument;
  maxSessionDuration: number;
  permissionsBoundary: string | null;
  tags: Record<string, string>;
  managedPolicies: string[];
  inlinePolicies: Record<string, PolicyDocument>;
}

export interface DesiredUser {
  accountId: string;
  partition: Partition;
  name: string;
  path: string;
  arn: string;
  responder: string;
  tags: Record<string, string>;
  inlinePolicies: Record<string, PolicyDocument>;
}

export interface DesiredAccount {
  accountId: string;
  name: string;
  partition: Partition;
  roles: DesiredRole[];
  /** Only in the security account. */
  users: DesiredUser[];
  /** Whether this is the security account (its password policy is checked). */
  security: boolean;
  /** The account's configured regions (the drill evaluates the playbooks' key actions in each). */
  regions?: string[];
}

export interface DesiredState {
  accounts: DesiredAccount[];
  provisioning: ProvisioningConfig;
  /** Things in the config that stop provisioning, each with how to fix it. */
  problems: string[];
  /** Things worth knowing that do not stop it. */
  notes: string[];
}

/** `BREAK-GLASS-<TYPE>[-<PLAYBOOK>]`, as SEC10-BP05 names incident-response roles. */
export function incidentRoleName(template: string, playbook?: string): string {
  return `BREAK-GLASS-${template.toUpperCase()}${playbook ? `-${playbook.toUpperCase()}` : ''}`;
}

/** `<responder>-BREAK-GLASS` (lower-cased, spaces as dots), as in the reference's create_break_glass_user. */
export function breakGlassUserName(responder: string): string {
  return `${responder.toLowerCase().replace(/ /g, '.')}-BREAK-GLASS`;
}

/**
 * The trust policy of every incident-response role: the security account's break-glass principals may assume the
 * role and pass the session tags and source identity Break Glass sends, only with MFA and only within
 * `mfaMaxAgeSeconds` of it.
 */
export function trustPolicyFor(p: ProvisioningConfig, partition: Partition): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'BreakGlassRespondersWithMFA',
      Effect: 'Allow',
      Principal: { AWS: `arn:${partition}:iam::${p.securityAccountId}:root` },
      Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
      Condition: {
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        NumericLessThan: { 'aws:MultiFactorAuthAge': String(p.mfaMaxAgeSeconds) },
        ArnLike: { 'aws:PrincipalArn': p.trustedPrincipalArns.length === 1 ? p.trustedPrincipalArns[0] : [...p.trustedPrincipalArns] },
      },
    }],
  };
}

/** The inline policies of a break-glass user: assume incident-response roles, manage their own MFA, nothing else. */
export function userPoliciesFor(userArn: string, partition: Partition, accountId: string): Record<string, PolicyDocument> {
  return {
    DenyAccessKeyCreation: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: ['iam:CreateAccessKey', 'iam:UpdateAccessKey'], Resource: userArn }],
    },
    AssumeIncidentResponseRoles: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
        Resource: `arn:${partition}:iam::*:role${IR_PATH}BREAK-GLASS-*`,
      }],
    },
    ManageOwnMFADevice: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ResyncMFADevice', 'iam:ListMFADevices'],
        Resource: [`arn:${partition}:iam::${accountId}:mfa/*`, userArn],
      }],
    },
  };
}

export function desiredState(config: WorkspaceConfig, templates: Readonly<Record<string, RoleTemplate>>): DesiredState {
  const problems: string[] = [];
  const notes: string[] = [];
  const prov = config.provisioning;
  if (!prov) {
    return {
      accounts: [], problems: ['Add a "provisioning" block to .breakglass/config.json: { "securityAccountId": "999988887777", "users": [{ "responder": "alice" }] }.'],
      notes, provisioning: { securityAccountId: '', trustedPrincipalArns: [], mfaMaxAgeSeconds: 3600, users: [] },
    };
  }
  const accounts: DesiredAccount[] = [];
  const byId = new Map<string, DesiredAccount>();
  const ensure = (a: Pick<AccountConfig, 'id' | 'name' | 'partition'> & { regions?: string[] }) => {
    let d = byId.get(a.id);
    if (!d) {
      d = { accountId: a.id, name: a.name, partition: a.partition, roles: [], users: [], security: a.id === prov.securityAccountId, ...(a.regions?.length ? { regions: [...a.regions] } : {}) };
      byId.set(a.id, d);
      accounts.push(d);
    }
    return d;
  };
  for (const account of config.accounts) {
    for (const role of account.roles) {
      if (!role.template) continue;
      const t = templates[role.template];
      const where = `${account.name} (${account.id}) role ${role.name}`;
      if (!t) {
        problems.push(`${where}: unknown template "${role.template}"; use one of ${Object.keys(templates).join(', ')} or add .breakglass/roles/${role.template}.json.`);
        continue;
      }
      if (!role.name.startsWith('BREAK-GLASS-')) {
        problems.push(`${where}: incident-response roles are named BREAK-GLASS-… (the break-glass users may assume only role${IR_PATH}BREAK-GLASS-*); rename it, e.g. ${incidentRoleName(t.name, role.playbook)}.`);
        continue;
      }
      if (role.path && role.path !== IR_PATH) {
        problems.push(`${where}: provisioned roles live under the path ${IR_PATH} (the break-glass users may assume only those); remove "path" or set it to "${IR_PATH}".`);
        continue;
      }
      if (!role.arn.includes(`:role${IR_PATH}`)) {
        notes.push(`${where}: the config's ARN ${role.arn} has no ${IR_PATH} path; add "path": "${IR_PATH}" so elevation names the provisioned role exactly.`);
      }
      const partition = account.partition;
      ensure(account).roles.push({
        accountId: account.id, partition, name: role.name, path: IR_PATH,
        arn: `arn:${partition}:iam::${account.id}:role${IR_PATH}${role.name}`,
        template: t.name, ...(role.playbook ? { playbook: role.playbook } : {}),
        description: t.description,
        trustPolicy: trustPolicyFor(prov, partition),
        maxSessionDuration: t.maxSessionDuration,
        permissionsBoundary: t.permissionsBoundary,
        tags: { Purpose: 'IncidentResponse', RoleType: t.name, PlaybookName: role.playbook ?? NO_PLAYBOOK, CreatedBy: CREATED_BY },
        managedPolicies: [...t.managedPolicies],
        inlinePolicies: structuredClone(t.inlinePolicies),
      });
    }
  }
  if (prov.users.length) {
    const sec = config.accounts.find((a) => a.id === prov.securityAccountId);
    const partition = sec?.partition ?? 'aws';
    const account = ensure({ id: prov.securityAccountId, name: sec?.name ?? 'Security', partition });
    for (const u of prov.users) {
      const name = breakGlassUserName(u.responder);
      const arn = `arn:${partition}:iam::${prov.securityAccountId}:user${IR_PATH}${name}`;
      account.users.push({
        accountId: prov.securityAccountId, partition, name, path: IR_PATH, arn, responder: u.responder,
        tags: {
          Purpose: 'IncidentResponse', ResponderName: u.responder,
          ...(u.email ? { ResponderEmail: u.email } : {}), ...(u.emergencyContact ? { EmergencyContact: u.emergencyContact } : {}),
          CreatedBy: CREATED_BY,
        },
        inlinePolicies: userPoliciesFor(arn, partition, prov.securityAccountId),
      });
    }
  }
  if (!accounts.some((a) => a.roles.length)) notes.push('No role in .breakglass/config.json names a "template", so no incident-response role will be provisioned.');
  return { accounts, provisioning: prov, problems, notes };
}
