// The session context of a policy preview: for a role + playbook, the session an elevation would create now; for a
// live session, the session as it was granted. Host-free; the panel (and the CLI) pass what they know.
import type { WorkspaceConfig } from '../config';
import { buildSessionContext, type SessionContext } from '../policy/sessionContext';
import type { Session } from '../session/types';
import { SESSION_POLICY_TEMPLATES } from '../templates';

export type PreviewContextTarget =
  | { kind: 'playbook'; roleName: string; playbook: string }
  | { kind: 'session'; session: Session };

export interface PreviewContextInput {
  target: PreviewContextTarget;
  config: WorkspaceConfig;
  /** Who would elevate (the breakglass.requester setting or the OS user name). */
  requester?: string;
  clock: { now(): number };
  /**
   * Whether the elevation uses MFA. The extension always asks for the MFA device and code, so its sessions carry
   * MFA; the CLI passes what it knows.
   */
  mfa?: boolean;
}

/** The context the previewed session carries, plus notes on what could not be known. */
export function previewSessionContext(input: PreviewContextInput): { context: SessionContext; notes: string[] } {
  const notes: string[] = [];
  const roles = input.config.accounts.flatMap((a) => a.roles.map((r) => ({ account: a, role: r })));
  if (input.target.kind === 'session') {
    const s = input.target.session;
    const found = roles.find((x) => x.role.arn === s.roleArn);
    const regions = found?.account.regions.length ? found.account.regions : [s.region];
    if (!found?.account.regions.length) notes.push(`Requests are assumed to go to the session's region ${s.region} (the account lists no regions).`);
    const context = buildSessionContext({
      roleArn: s.roleArn, playbook: s.playbook, requester: s.requester, incidentId: s.incidentId, clock: input.clock, regions,
      mfa: input.mfa ?? true, roleTags: found?.role.tags, issuedAt: Date.parse(s.issuedAt), expiresAt: Date.parse(s.expiresAt),
      roleSessionName: s.roleSessionName,
    });
    return { context, notes };
  }
  const t = input.target;
  const found = roles.find((x) => x.role.name === t.roleName);
  if (!found) notes.push(`Role ${t.roleName} is not in .breakglass/config.json: its ARN, account and regions are not known, so conditions on them depend on the request.`);
  notes.push('Conditions on the incident id are decided when you elevate (the incident is not known before).');
  if (input.mfa === undefined) notes.push('The session is assumed to carry MFA (Break Glass asks for the MFA code on every elevation).');
  const maxDuration = SESSION_POLICY_TEMPLATES[t.playbook]?.maxDuration;
  const roleMax = found?.role.maxSessionDuration;
  const duration = Math.min(maxDuration ?? 3600, roleMax ?? Number.POSITIVE_INFINITY);
  const context = buildSessionContext({
    roleArn: found?.role.arn, playbook: t.playbook, requester: input.requester, clock: input.clock,
    regions: found?.account.regions, durationSeconds: duration, mfa: input.mfa ?? true, roleTags: found?.role.tags,
  });
  return { context, notes };
}
