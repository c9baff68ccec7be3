// Executes a plan through IAM. Within an account the changes of one resource run in order and stop at its first
// failure (a role that could not be created cannot get policies); other resources and other accounts go on. The
// summary says what was done where. A console password is generated here, handed to `showPassword` once, and kept
// nowhere else: not in the change, the summary, the log or any file.
import {
  AttachRolePolicyCommand, CreateLoginProfileCommand, CreateRoleCommand, CreateUserCommand, DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand, DeleteUserPolicyCommand, DetachRolePolicyCommand, DetachUserPolicyCommand, PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand, PutUserPolicyCommand, TagRoleCommand, TagUserCommand, UpdateAssumeRolePolicyCommand, UpdateRoleCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { randomInt } from 'crypto';
import { translateAwsError } from '../aws/errors';
import type { AccountPlan, Change } from './plan';

export interface ChangeResult {
  change: Change;
  status: 'done' | 'failed' | 'skipped';
  /** Translated error (failed) or why it was skipped. */
  message?: string;
}

export interface AccountResult {
  accountId: string;
  name: string;
  results: ChangeResult[];
  /** The account could not be reached at all (credentials, provisioning role). */
  error?: string;
}

export interface ApplyPorts {
  /** Called once per created login profile, after IAM accepted it. The only place the password goes. */
  showPassword(userName: string, password: string, userArn: string): Promise<void> | void;
  allowBroadening: boolean;
  /** False when there is nowhere safe to show a password (no terminal): login profiles are then held back. */
  canShowPassword?: boolean;
}

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const SYMBOLS = '!@#$%^&*()-_=+[]{}';

/** A strong random console password: 24 characters (≈150 bits) with every character class IAM policies may require. */
export function generatePassword(length = 24): string {
  const all = UPPER + LOWER + DIGITS + SYMBOLS;
  const chars = [UPPER, LOWER, DIGITS, SYMBOLS].map((set) => set[randomInt(set.length)]);
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

const tagList = (t: Record<string, string>) => Object.entries(t).map(([Key, Value]) => ({ Key, Value }));

async function run(iam: IAMClient, c: Change, ports: ApplyPorts): Promise<void> {
  const r = c.role;
  const u = c.user;
  switch (c.kind) {
    case 'createRole':
      await iam.send(new CreateRoleCommand({
        RoleName: r!.name, Path: r!.path, AssumeRolePolicyDocument: JSON.stringify(r!.trustPolicy), Description: r!.description,
        MaxSessionDuration: r!.maxSessionDuration, ...(r!.permissionsBoundary ? { PermissionsBoundary: r!.permissionsBoundary } : {}),
        Tags: tagList(r!.tags),
      }));
      for (const arn of r!.managedPolicies) await iam.send(new AttachRolePolicyCommand({ RoleName: r!.name, PolicyArn: arn }));
      for (const [pn, doc] of Object.entries(r!.inlinePolicies)) {
        await iam.send(new PutRolePolicyCommand({ RoleName: r!.name, PolicyName: pn, PolicyDocument: JSON.stringify(doc) }));
      }
      return;
    case 'updateTrust':
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: r!.name, PolicyDocument: JSON.stringify(r!.trustPolicy) }));
      return;
    case 'updateRole':
      await iam.send(new UpdateRoleCommand({ RoleName: r!.name, MaxSessionDuration: r!.maxSessionDuration, Description: r!.description }));
      return;
    case 'putBoundary':
      await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: r!.name, PermissionsBoundary: r!.permissionsBoundary! }));
      return;
    case 'deleteBoundary':
      await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: r!.name }));
      return;
    case 'tagRole':
      await iam.send(new TagRoleCommand({ RoleName: r!.name, Tags: tagList(c.tags!) }));
      return;
    case 'attachRolePolicy':
      await iam.send(new AttachRolePolicyCommand({ RoleName: r!.name, PolicyArn: c.policyArn! }));
      return;
    case 'detachRolePolicy':
      await iam.send(new DetachRolePolicyCommand({ RoleName: r!.name, PolicyArn: c.policyArn! }));
      return;
    case 'putRolePolicy':
      await iam.send(new PutRolePolicyCommand({ RoleName: r!.name, PolicyName: c.policyName!, PolicyDocument: JSON.stringify(r!.inlinePolicies[c.policyName!]) }));
      return;
    case 'deleteRolePolicy':
      await iam.send(new DeleteRolePolicyCommand({ RoleName: r!.name, PolicyName: c.policyName! }));
      return;
    case 'createUser':
      await iam.send(new CreateUserCommand({ UserName: u!.name, Path: u!.path, Tags: tagList(u!.tags) }));
      for (const [pn, doc] of Object.entries(u!.inlinePolicies)) {
        await iam.send(new PutUserPolicyCommand({ UserName: u!.name, PolicyName: pn, PolicyDocument: JSON.stringify(doc) }));
      }
      return;
    case 'tagUser':
      await iam.send(new TagUserCommand({ UserName: u!.name, Tags: tagList(c.tags!) }));
      return;
    case 'putUserPolicy':
      await iam.send(new PutUserPolicyCommand({ UserName: u!.name, PolicyName: c.policyName!, PolicyDocument: JSON.stringify(u!.inlinePolicies[c.policyName!]) }));
      return;
    case 'deleteUserPolicy':
      await iam.send(new DeleteUserPolicyCommand({ UserName: u!.name, PolicyName: c.policyName! }));
      return;
    case 'detachUserPolicy':
      await iam.send(new DetachUserPolicyCommand({ UserName: u!.name, PolicyArn: c.policyArn! }));
      return;
    case 'createLoginProfile': {
      const password = generatePassword();
      await iam.send(new CreateLoginProfileCommand({ UserName: u!.name, Password: password, PasswordResetRequired: true }));
      await ports.showPassword(u!.name, password, u!.arn);
      return;
    }
  }
}

/** Applies one account's plan. Never throws: every outcome is in the result. */
export async function applyAccountPlan(iam: IAMClient, plan: AccountPlan, ports: ApplyPorts): Promise<AccountResult> {
  const results: ChangeResult[] = [];
  const failedResources = new Set<string>();
  for (const change of plan.changes) {
    if (change.broadening && !ports.allowBroadening) {
      results.push({ change, status: 'skipped', message: 'broadens trust or permissions; re-run with --allow-broadening (or confirm in the editor) to apply it' });
      continue;
    }
    if (change.kind === 'createLoginProfile' && ports.canShowPassword === false) {
      results.push({ change, status: 'skipped', message: 'the password can only be shown on an interactive terminal (or in the editor); run it there' });
      continue;
    }
    if (failedResources.has(change.resource)) {
      results.push({ change, status: 'skipped', message: `an earlier change to ${change.resource} failed` });
      continue;
    }
    try {
      await run(iam, change, ports);
      results.push({ change, status: 'done' });
    } catch (e) {
      failedResources.add(change.resource);
      const t = translateAwsError(e, { operation: change.kind });
      results.push({ change, status: 'failed', message: `${t.title}: ${t.message}` });
    }
  }
  return { accountId: plan.accountId, name: plan.name, results };
}
