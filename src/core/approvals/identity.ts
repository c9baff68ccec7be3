// Who is calling (sts:GetCallerIdentity: the stable user id is what self-approval is checked against) and whether
// they may approve: principal ARN patterns from config, or IAM group membership (iam:ListGroupsForUser, falling back
// to iam:GetGroup per configured group), cached briefly so a tree refresh does not call IAM every time.
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { GetGroupCommand, ListGroupsForUserCommand, type IAMClient } from '@aws-sdk/client-iam';
import { BreakGlassError, translateAwsError } from '../aws/errors';
import type { ApprovalsConfig } from '../config';
import type { CallerIdentity } from './types';

export async function callerIdentity(sts: STSClient): Promise<CallerIdentity> {
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (!out.Arn || !out.UserId || !out.Account) throw new Error('GetCallerIdentity answered without Arn/UserId/Account');
    return { arn: out.Arn, userId: out.UserId, account: out.Account };
  } catch (e) {
    throw new BreakGlassError(translateAwsError(e, { operation: 'sts:GetCallerIdentity' }));
  }
}

/** `*` matches any run of characters (including `/`), `?` one character; everything else literally. */
export function arnMatches(arn: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  return re.test(arn);
}

/** The IAM user name of a user ARN (arn:aws:iam::111122223333:user/path/alice → alice), else undefined. */
export function iamUserName(arn: string): string | undefined {
  const m = /^arn:[\w-]+:iam::\d{12}:user\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
  return m?.[1];
}

export interface ApproverCheck {
  ok: boolean;
  /** Why (matched pattern or group), or why not. */
  reason: string;
}

/** Group membership with a short cache (default 60 s). */
export class GroupMembership {
  private cache = new Map<string, { at: number; groups: Promise<string[]> }>();
  constructor(private readonly iam: IAMClient | (() => IAMClient), private readonly ttlMs = 60_000, private readonly now: () => number = Date.now) {}

  private client(): IAMClient {
    return typeof this.iam === 'function' ? this.iam() : this.iam;
  }

  /** The configured groups `arn` belongs to. Roles (assumed-role sessions) belong to none: IAM groups hold users only. */
  async groupsOf(arn: string, configured: string[]): Promise<string[]> {
    const user = iamUserName(arn);
    if (!user || !configured.length) return [];
    const key = `${arn}\n${configured.join(',')}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.groups;
    const groups = this.lookup(user, arn, configured);
    this.cache.set(key, { at: this.now(), groups });
    groups.catch(() => this.cache.delete(key));
    return groups;
  }

  private async lookup(user: string, arn: string, configured: string[]): Promise<string[]> {
    const iam = this.client();
    try {
      const names: string[] = [];
      let marker: string | undefined;
      do {
        const out = await iam.send(new ListGroupsForUserCommand({ UserName: user, ...(marker ? { Marker: marker } : {}) }));
        for (const g of out.Groups ?? []) if (g.GroupName) names.push(g.GroupName);
        marker = out.IsTruncated ? out.Marker : undefined;
      } while (marker);
      return configured.filter((g) => names.includes(g));
    } catch (e) {
      const t = translateAwsError(e, { operation: 'iam:ListGroupsForUser' });
      if (t.code !== 'AccessDenied') throw new BreakGlassError(t);
    }
    // Not allowed to list the user's groups: ask each configured group for its members instead.
    const found: string[] = [];
    for (const group of configured) {
      try {
        let marker: string | undefined;
        do {
          const out = await iam.send(new GetGroupCommand({ GroupName: group, ...(marker ? { Marker: marker } : {}) }));
          if ((out.Users ?? []).some((u) => u.Arn === arn)) { found.push(group); break; }
          marker = out.IsTruncated ? out.Marker : undefined;
        } while (marker);
      } catch (e) {
        throw new BreakGlassError(translateAwsError(e, { operation: 'iam:GetGroup' }));
      }
    }
    return found;
  }
}

/** Whether `who` may approve under `approvals`. Never says yes for a principal nothing in config names. */
export async function checkApprover(who: CallerIdentity, approvals: Pick<ApprovalsConfig, 'approvers'>, groups?: GroupMembership): Promise<ApproverCheck> {
  const pattern = approvals.approvers.principals.find((p) => arnMatches(who.arn, p));
  if (pattern) return { ok: true, reason: `matches approver pattern ${pattern}` };
  if (approvals.approvers.groups.length && groups) {
    const member = await groups.groupsOf(who.arn, approvals.approvers.groups);
    if (member.length) return { ok: true, reason: `member of IAM group ${member[0]}` };
  }
  const names = [
    ...approvals.approvers.principals.map((p) => `principal ${p}`),
    ...approvals.approvers.groups.map((g) => `group ${g}`),
  ].join(', ');
  return { ok: false, reason: `${who.arn} is not an approver (approvers: ${names || 'none configured'}).` };
}
