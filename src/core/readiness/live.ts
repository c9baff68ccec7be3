// `check --live`: prove a role works by using it — elevate with MFA and the read-only playbook through the same
// pre-flight, single AssumeRole and audit trail as `elevate`, call GetCallerIdentity with the session, and revoke
// nothing (the session is short and read-only, and revoking would add an AWSRevokeOlderSessions policy).
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AwsClients } from '../aws/clients';
import { BreakGlassError } from '../aws/errors';
import type { AuditLog } from '../audit/log';
import type { DesiredRole } from '../provision/desired';
import { planElevation } from '../session/elevate';
import { elevateAndRecord } from '../session/flow';
import type { LiveResult } from './drill';

export interface LiveDeps {
  base: AwsClients;
  requester: string;
  mfaSerial?: string;
  /** The MFA code for this role (each elevation needs a fresh one). */
  tokenCode(role: DesiredRole): Promise<string>;
  audit?: AuditLog;
  region?: string;
  now?: () => number;
}

export function liveElevation(deps: LiveDeps): (role: DesiredRole) => Promise<LiveResult> {
  return async (role) => {
    const day = new Date((deps.now ?? Date.now)()).toISOString().slice(0, 10).replace(/-/g, '');
    const planned = planElevation({
      roleArn: role.arn, playbook: 'read_only_investigation', incidentId: `DRILL-${day}`,
      justification: 'Readiness drill: breakglass check --live (read-only, revokes nothing)', requester: deps.requester,
      durationSeconds: 900, roleMaxSessionDuration: role.maxSessionDuration, mfaRequired: true,
      mfaSerial: deps.mfaSerial, tokenCode: await deps.tokenCode(role), region: deps.region,
    });
    if (!planned.ok) {
      throw new BreakGlassError({ code: 'Unknown', title: 'Pre-flight refused', retryable: false, message: planned.problems.map((p) => `${p.field}: ${p.message}`).join(' ') });
    }
    const { credentials, durable } = await elevateAndRecord(planned.plan, { sts: deps.base.stsForMfa(), audit: deps.audit });
    await durable;
    const session = new AwsClients({ ...deps.base.options, credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken } });
    try {
      const who = await session.sts().send(new GetCallerIdentityCommand({}));
      return { callerArn: who.Arn ?? '' };
    } finally {
      session.destroy();
    }
  };
}
