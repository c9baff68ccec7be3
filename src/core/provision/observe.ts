// Reads what IAM has for the desired roles and users of one account (no writes). NoSuchEntity means "absent";
// any other error propagates so the caller reports it for this account only.
import {
  GetAccountPasswordPolicyCommand, GetLoginProfileCommand, GetRoleCommand, GetRolePolicyCommand, GetUserCommand, GetUserPolicyCommand,
  ListAccessKeysCommand, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand, ListMFADevicesCommand, ListRolePoliciesCommand,
  ListUserPoliciesCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import type { DesiredAccount } from './desired';

export interface ObservedRole {
  name: string;
  arn: string;
  path: string;
  trustPolicy: unknown;
  /** The trust policy text when it is not JSON. */
  trustPolicyInvalid?: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary: string | null;
  tags: Record<string, string>;
  managedPolicies: string[];
  inlinePolicies: Record<string, unknown>;
}

export interface ObservedUser {
  name: string;
  arn: string;
  path: string;
  tags: Record<string, string>;
  inlinePolicies: Record<string, unknown>;
  managedPolicies: string[];
  loginProfile?: { passwordResetRequired: boolean; createDate?: string };
  passwordLastUsed?: string;
  accessKeys: Array<{ id: string; status: string }>;
  mfaDevices: string[];
}

export interface PasswordPolicy {
  minimumPasswordLength: number;
  requireSymbols: boolean;
  requireNumbers: boolean;
  requireUppercase: boolean;
  requireLowercase: boolean;
  allowUsersToChangePassword: boolean;
}

export interface ObservedAccount {
  roles: Map<string, ObservedRole | null>;
  users: Map<string, ObservedUser | null>;
  /** null: none set (IAM's defaults apply); undefined: not read (not the security account). */
  passwordPolicy?: PasswordPolicy | null;
}

export function isNoSuchEntity(e: unknown): boolean {
  const x = e as { name?: string; Code?: string };
  return x?.name === 'NoSuchEntityException' || x?.name === 'NoSuchEntity' || x?.Code === 'NoSuchEntity';
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (isNoSuchEntity(e)) return null;
    throw e;
  }
}

const decode = (doc: string | undefined): { value: unknown; invalid?: string } => {
  const text = doc ? decodeURIComponent(doc) : '';
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { value: undefined, invalid: text };
  }
};

/** All pages of an IAM list call (Marker / IsTruncated). */
async function pages<T>(fetch: (marker?: string) => Promise<{ items: T[]; marker?: string; truncated?: boolean }>): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await fetch(marker);
    out.push(...page.items);
    if (!page.truncated || !page.marker) break;
    marker = page.marker;
  }
  return out;
}

const tagMap = (tags: Array<{ Key?: string; Value?: string }> | undefined) =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key).map((t) => [t.Key as string, t.Value ?? '']));

export async function observeRole(iam: IAMClient, name: string): Promise<ObservedRole | null> {
  const got = await orNull(iam.send(new GetRoleCommand({ RoleName: name })));
  const r = got?.Role;
  if (!r) return null;
  const trust = decode(r.AssumeRolePolicyDocument);
  const managed = await pages(async (Marker) => {
    const o = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name, Marker }));
    return { items: (o.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ''), marker: o.Marker, truncated: o.IsTruncated };
  });
  const names = await pages(async (Marker) => {
    const o = await iam.send(new ListRolePoliciesCommand({ RoleName: name, Marker }));
    return { items: o.PolicyNames ?? [], marker: o.Marker, truncated: o.IsTruncated };
  });
  const inline: Record<string, unknown> = {};
  for (const pn of names) {
    const o = await orNull(iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: pn })));
    if (o) inline[pn] = decode(o.PolicyDocument).value ?? decode(o.PolicyDocument).invalid;
  }
  return {
    name, arn: r.Arn ?? '', path: r.Path ?? '/', trustPolicy: trust.value, ...(trust.invalid !== undefined ? { trustPolicyInvalid: trust.invalid } : {}),
    ...(r.Description !== undefined ? { description: r.Description } : {}),
    maxSessionDuration: r.MaxSessionDuration ?? 3600, permissionsBoundary: r.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
    tags: tagMap(r.Tags), managedPolicies: managed, inlinePolicies: inline,
  };
}

export async function observeUser(iam: IAMClient, name: string): Promise<ObservedUser | null> {
  const got = await orNull(iam.send(new GetUserCommand({ UserName: name })));
  const u = got?.User;
  if (!u) return null;
  const names = await pages(async (Marker) => {
    const o = await iam.send(new ListUserPoliciesCommand({ UserName: name, Marker }));
    return { items: o.PolicyNames ?? [], marker: o.Marker, truncated: o.IsTruncated };
  });
  const inline: Record<string, unknown> = {};
  for (const pn of names) {
    const o = await orNull(iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName: pn })));
    if (o) inline[pn] = decode(o.PolicyDocument).value ?? decode(o.PolicyDocument).invalid;
  }
  const managed = await pages(async (Marker) => {
    const o = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: name, Marker }));
    return { items: (o.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ''), marker: o.Marker, truncated: o.IsTruncated };
  });
  const login = await orNull(iam.send(new GetLoginProfileCommand({ UserName: name })));
  const keys = await pages(async (Marker) => {
    const o = await iam.send(new ListAccessKeysCommand({ UserName: name, Marker }));
    return { items: (o.AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId ?? '', status: k.Status ?? '' })), marker: o.Marker, truncated: o.IsTruncated };
  });
  const mfa = await pages(async (Marker) => {
    const o = await iam.send(new ListMFADevicesCommand({ UserName: name, Marker }));
    return { items: (o.MFADevices ?? []).map((d) => d.SerialNumber ?? ''), marker: o.Marker, truncated: o.IsTruncated };
  });
  return {
    name, arn: u.Arn ?? '', path: u.Path ?? '/', tags: tagMap(u.Tags), inlinePolicies: inline, managedPolicies: managed,
    ...(login?.LoginProfile ? { loginProfile: { passwordResetRequired: Boolean(login.LoginProfile.PasswordResetRequired), createDate: login.LoginProfile.CreateDate?.toISOString() } } : {}),
    ...(u.PasswordLastUsed ? { passwordLastUsed: u.PasswordLastUsed.toISOString() } : {}),
    accessKeys: keys, mfaDevices: mfa,
  };
}

export async function observePasswordPolicy(iam: IAMClient): Promise<PasswordPolicy | null> {
  const o = await orNull(iam.send(new GetAccountPasswordPolicyCommand({})));
  const p = o?.PasswordPolicy;
  if (!p) return null;
  return {
    minimumPasswordLength: p.MinimumPasswordLength ?? 8, requireSymbols: Boolean(p.RequireSymbols), requireNumbers: Boolean(p.RequireNumbers),
    requireUppercase: Boolean(p.RequireUppercaseCharacters), requireLowercase: Boolean(p.RequireLowercaseCharacters),
    allowUsersToChangePassword: Boolean(p.AllowUsersToChangePassword),
  };
}

/** Everything the plan and the drill need to know about one account. */
export async function observeAccount(iam: IAMClient, desired: DesiredAccount): Promise<ObservedAccount> {
  const roles = new Map<string, ObservedRole | null>();
  for (const r of desired.roles) roles.set(r.name, await observeRole(iam, r.name));
  const users = new Map<string, ObservedUser | null>();
  for (const u of desired.users) users.set(u.name, await observeUser(iam, u.name));
  const passwordPolicy = desired.security && desired.users.length ? await observePasswordPolicy(iam) : undefined;
  return { roles, users, ...(passwordPolicy !== undefined ? { passwordPolicy } : {}) };
}
