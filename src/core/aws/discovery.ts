// Discovery: which break-glass roles exist in the caller's account (IAM), which accounts exist in the organization
// (Organizations), and which MFA device the caller has — merged with the workspace configuration.
//
// Nothing here throws. A responder mid-incident may well lack iam:ListRoles or be outside an organization; each
// source that fails degrades to the configured lists with ONE short explanation line.
//
// Cost: ListRoles does not reliably return tags, so a role is a break-glass role when its name starts with the prefix
// (no further call), or when ListRoles returned the tag, or else — for the remaining customer roles only — when
// ListRoleTags shows Purpose=IncidentResponse. Service-linked (/aws-service-role/) and Identity Center
// (/aws-reserved/) roles cannot carry that purpose and are skipped, which removes most ListRoleTags calls.
import { ListMFADevicesCommand, ListRoleTagsCommand, ListRolesCommand, type IAMClient, type Role } from '@aws-sdk/client-iam';
import { ListAccountsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AccountConfig, RoleConfig, WorkspaceConfig } from '../config';
import { translateAwsError } from './errors';
import { parseRoleArn } from './partition';

export interface RoleDiscoveryOptions {
  tagKey?: string;
  tagValue?: string;
  namePrefix?: string;
  /** Parallel ListRoleTags calls; default 5 (well under IAM's throttling). */
  concurrency?: number;
  abortSignal?: AbortSignal;
}

export interface DiscoveredAccount {
  id: string;
  name: string;
  status?: string;
}

export type SourceOutcome<T> = { ok: true; value: T } | { ok: false; note: string; code: string };

const SKIPPED_PATHS = /^\/(aws-service-role|aws-reserved|service-role\/aws-)/;

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

function toRoleConfig(r: Role, tags: Record<string, string> | undefined): RoleConfig {
  const role: RoleConfig = { name: r.RoleName ?? '', arn: r.Arn ?? '' };
  if (r.Description) role.description = r.Description;
  if (r.MaxSessionDuration) role.maxSessionDuration = r.MaxSessionDuration;
  if (r.PermissionsBoundary?.PermissionsBoundaryArn) role.permissionsBoundary = r.PermissionsBoundary.PermissionsBoundaryArn;
  if (tags && Object.keys(tags).length) role.tags = tags;
  // The trust policy (URL-encoded JSON) tells whether MFA is required.
  if (r.AssumeRolePolicyDocument) {
    try {
      const doc = decodeURIComponent(r.AssumeRolePolicyDocument);
      role.mfaRequired = /aws:MultiFactorAuth(Present|Age)/.test(doc);
    } catch {
      // Leave mfaRequired unknown.
    }
  }
  return role;
}

function tagMap(tags: Array<{ Key?: string; Value?: string }> | undefined): Record<string, string> | undefined {
  if (!tags) return undefined;
  return Object.fromEntries(tags.filter((t) => t.Key).map((t) => [t.Key as string, t.Value ?? '']));
}

/** Break-glass roles of the caller's account. */
export async function discoverRoles(iam: IAMClient, opts: RoleDiscoveryOptions = {}): Promise<SourceOutcome<RoleConfig[]>> {
  const tagKey = opts.tagKey ?? 'Purpose';
  const tagValue = opts.tagValue ?? 'IncidentResponse';
  const prefix = opts.namePrefix ?? 'BREAK-GLASS-';
  const send = { abortSignal: opts.abortSignal };
  try {
    const roles: Role[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListRolesCommand({ Marker: marker, MaxItems: 1000 }), send);
      roles.push(...(page.Roles ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);

    const matches: RoleConfig[] = [];
    const toCheck: Role[] = [];
    for (const r of roles) {
      const listed = tagMap(r.Tags);
      if (r.RoleName?.startsWith(prefix) || listed?.[tagKey] === tagValue) matches.push(toRoleConfig(r, listed));
      else if (!SKIPPED_PATHS.test(r.Path ?? '/') && !r.Tags) toCheck.push(r);
    }
    let tagDenied = false;
    const tagged = await mapLimit(toCheck, opts.concurrency ?? 5, async (r) => {
      if (tagDenied) return undefined;
      try {
        const res = await iam.send(new ListRoleTagsCommand({ RoleName: r.RoleName }), send);
        const tags = tagMap(res.Tags);
        return tags?.[tagKey] === tagValue ? toRoleConfig(r, tags) : undefined;
      } catch (e) {
        if (translateAwsError(e).code === 'AccessDenied') tagDenied = true;
        else throw e;
        return undefined;
      }
    });
    for (const r of tagged) if (r) matches.push(r);
    matches.sort((a, b) => a.name.localeCompare(b.name));
    return { ok: true, value: matches };
  } catch (e) {
    const tr = translateAwsError(e, { operation: 'iam:ListRoles' });
    return { ok: false, code: tr.code, note: `Roles: could not list IAM roles (${tr.title.toLowerCase()}); showing configured roles only.` };
  }
}

/** Accounts of the organization (needs organizations:ListAccounts, usually only in the management account). */
export async function discoverAccounts(org: OrganizationsClient, abortSignal?: AbortSignal): Promise<SourceOutcome<DiscoveredAccount[]>> {
  try {
    const accounts: DiscoveredAccount[] = [];
    let token: string | undefined;
    do {
      const page = await org.send(new ListAccountsCommand({ NextToken: token }), { abortSignal });
      for (const a of page.Accounts ?? []) {
        if (a.Id) accounts.push({ id: a.Id, name: a.Name ?? a.Id, ...(a.Status ? { status: String(a.Status) } : {}) });
      }
      token = page.NextToken;
    } while (token);
    return { ok: true, value: accounts };
  } catch (e) {
    const { code } = { code: (e as { name?: string }).name };
    if (code === 'AWSOrganizationsNotInUseException') {
      return { ok: false, code: 'NotInOrganization', note: 'Accounts: this account is not in an AWS Organization; showing configured accounts only.' };
    }
    const tr = translateAwsError(e, { operation: 'organizations:ListAccounts' });
    return { ok: false, code: tr.code, note: `Accounts: could not list organization accounts (${tr.title.toLowerCase()}); showing configured accounts only.` };
  }
}

/**
 * The caller's MFA device serial (ARN), via iam:ListMFADevices once per cache. Undefined when the caller has none,
 * is not an IAM user, or lacks the permission.
 */
export class MfaSerialCache {
  private value: Promise<string | undefined> | undefined;

  constructor(private readonly iam: IAMClient) {}

  get(): Promise<string | undefined> {
    if (!this.value) {
      this.value = this.iam.send(new ListMFADevicesCommand({})).then(
        (r) => r.MFADevices?.[0]?.SerialNumber,
        () => undefined,
      );
    }
    return this.value;
  }

  clear(): void {
    this.value = undefined;
  }
}

export interface DiscoveryResult {
  config: WorkspaceConfig;
  /** One line per source that failed. */
  notes: string[];
}

/**
 * Merges discovered roles (into the account their ARN names) and organization accounts with the workspace config.
 * Configured values win; discovery only adds roles/accounts and fills unknown maxSessionDuration/mfaRequired.
 */
export function mergeDiscovery(
  config: WorkspaceConfig,
  roles: SourceOutcome<RoleConfig[]> | undefined,
  accounts: SourceOutcome<DiscoveredAccount[]> | undefined,
): DiscoveryResult {
  const notes: string[] = [];
  const out: WorkspaceConfig = { version: 1, accounts: config.accounts.map((a) => ({ ...a, roles: a.roles.map((r) => ({ ...r })) })) };
  const byId = new Map(out.accounts.map((a) => [a.id, a]));
  const ensure = (id: string, name: string, partition: AccountConfig['partition']): AccountConfig => {
    let a = byId.get(id);
    if (!a) {
      a = { id, name, partition, regions: [], roles: [] };
      out.accounts.push(a);
      byId.set(id, a);
    }
    return a;
  };
  if (accounts?.ok) {
    for (const d of accounts.value) {
      if (d.status && d.status !== 'ACTIVE') continue;
      ensure(d.id, d.name, out.accounts[0]?.partition ?? 'aws');
    }
  } else if (accounts) notes.push(accounts.note);
  if (roles?.ok) {
    for (const r of roles.value) {
      const parsed = parseRoleArn(r.arn);
      if (!parsed) continue;
      const account = ensure(parsed.accountId, parsed.accountId, parsed.partition);
      const existing = account.roles.find((x) => x.arn === r.arn || x.name === r.name);
      if (existing) {
        existing.maxSessionDuration ??= r.maxSessionDuration;
        existing.mfaRequired ??= r.mfaRequired;
        if (!existing.tags && r.tags) existing.tags = r.tags;
      } else account.roles.push(r);
    }
  } else if (roles) notes.push(roles.note);
  return { config: out, notes };
}

/** Runs role and (optionally) account discovery in parallel and merges. Never throws. */
export async function discover(
  clients: { iam(): IAMClient; organizations(): OrganizationsClient },
  config: WorkspaceConfig,
  opts: RoleDiscoveryOptions & { organizations?: boolean } = {},
): Promise<DiscoveryResult> {
  const [roles, accounts] = await Promise.all([
    discoverRoles(clients.iam(), opts),
    opts.organizations ? discoverAccounts(clients.organizations(), opts.abortSignal) : Promise.resolve(undefined),
  ]);
  return mergeDiscovery(config, roles, accounts);
}
