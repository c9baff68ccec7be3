// `check --live`: prove a role works by using it — elevate with MFA and the read-only playbook through the one
// elevation use-case (runElevation: the same pre-flight, single AssumeRole and audit trail as `elevate`), call
// GetCallerIdentity with the session, and revoke nothing (the session is short and read-only, and revoking would add
// an AWSRevokeOlderSessions policy).
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from '../aws/clients';
import { BreakGlassError } from '../aws/errors';
import type { AuditLog } from '../audit/log';
import type { DesiredRole } from '../provision/desired';
import { describeProblems, runElevation } from '../session/run';
import type { LiveResult } from './drill';

export interface LiveDeps {
  base: AwsClients;
  requester?: string;
  mfaSerial?: string;
  /** The MFA code for this role (each elevation needs a fresh one). */
  tokenCode(role: DesiredRole): Promise<string>;
  audit: AuditLog;
  region?: string;
  now?: () => number;
}

export function liveElevation(deps: LiveDeps): (role: DesiredRole) => Promise<LiveResult> {
  return async (role) => {
    const day = new Date((deps.now ?? Date.now)()).toISOString().slice(0, 10).replace(/-/g, '');
    const outcome = await runElevation({
      roleArn: role.arn, playbook: { kind: 'builtin', name: 'read_only_investigation' }, incidentId: `DRILL-${day}`,
      justification: 'Readiness drill: breakglass check --live (read-only, revokes nothing)', requester: deps.requester,
      durationSeconds: 900, roleMaxSessionDuration: role.maxSessionDuration, mfaRequired: true,
      mfaSerial: deps.mfaSerial, tokenCode: await deps.tokenCode(role), region: deps.region,
    }, { clients: deps.base, audit: deps.audit, readPlaybookFile: async () => { throw new Error('the drill uses a built-in playbook'); } });
    if (outcome.status === 'refused') {
      throw new BreakGlassError({ code: 'Unknown', title: 'Pre-flight refused', retryable: false, message: describeProblems(outcome.problems) });
    }
    if (outcome.status === 'cancelled') throw new BreakGlassError({ code: 'Aborted', title: 'Cancelled', retryable: false, message: 'The live check was cancelled; nothing was sent to AWS.' });
    if (outcome.status === 'failed') throw new BreakGlassError(outcome.error);
    await outcome.durable;
    const { credentials } = outcome;
    const session = deps.base.forSession(credentials, deps.region);
    try {
      const who = await session.sts().send(new GetCallerIdentityCommand({}));
      return { callerArn: who.Arn ?? '' };
    } finally {
      session.destroy();
    }
  };
}
