// `breakglass revoke`: revoke every session of a role in AWS, as the IAM console's "Revoke active sessions" does.
import { parseArgs, requireString } from '../args';
import { UsageError, type Subcommand } from '../io';
import { BreakGlassError, translateAwsError } from '../../core/aws/errors';
import { parseRoleArn } from '../../core/aws/partition';
import { AuditLog, defaultAuditPath } from '../../core/audit/log';
import { MAX_FUTURE_SKEW_MS, parseCutoff, revokeInAws, REVOKE_POLICY_NAME } from '../../core/session/revoke';
import { VERSION } from '../../core/version';
import { cliBase } from './elevate';

const USAGE = `usage: breakglass revoke --role-arn ARN [--before ISO-INSTANT] [options]

Deny every session of the role issued before an instant (default: now, by AWS's clock) by putting the inline policy
${REVOKE_POLICY_NAME} on the role (updated in place if present: its other statements are kept, and the latest
cut-off wins). This revokes ALL sessions of the role issued before that instant, including other responders'; they
must elevate again. IAM applies the deny within a few minutes. Needs iam:GetRolePolicy and iam:PutRolePolicy
(iam:GetRole with --before, to compare it with the role's maximum session duration).

Options:
  --role-arn ARN          the role whose sessions to revoke
  --before ISO-INSTANT    revoke sessions issued before this instant (e.g. 2024-05-01T12:00:00Z, or epoch seconds);
                          default now. At most ${MAX_FUTURE_SKEW_MS / 60_000} minutes after AWS's current time
  --profile NAME          credentials allowed to call iam:GetRolePolicy / iam:PutRolePolicy
  --region REGION         region (IAM itself is global per partition)
  --endpoint-url URL      AWS endpoint override (also AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM)
  --audit-log FILE        audit log (default: $BREAKGLASS_AUDIT_LOG or ~/.breakglass/audit.jsonl)
`;

export const revokeCommand: Subcommand = {
  name: 'revoke',
  summary: 'revoke all sessions of a role in AWS (AWSRevokeOlderSessions)',
  usage: USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, {
      'role-arn': { type: 'string' }, before: { type: 'string' }, profile: { type: 'string' }, region: { type: 'string' },
      'endpoint-url': { type: 'string' }, 'audit-log': { type: 'string' },
    });
    const roleArn = requireString(p, 'role-arn');
    const role = parseRoleArn(roleArn);
    if (!role) throw new UsageError(`'${roleArn}' is not an IAM role ARN (arn:aws:iam::111122223333:role/NAME)`);
    const before = p.options.before as string | undefined;
    if (before !== undefined && parseCutoff(before) === undefined) {
      throw new UsageError(`--before must be an ISO 8601 instant such as 2024-05-01T12:00:00Z (or epoch seconds), not '${before}'`);
    }
    const audit = new AuditLog((p.options['audit-log'] as string | undefined) ?? defaultAuditPath(io.env), { source: `cli/${VERSION}` });
    const base = await cliBase(p, io);
    try {
      const r = await revokeInAws(base.clients.iam(), roleArn, before ? { before } : {});
      await audit.append({
        event: 'revoked_aws', roleArn, accountId: role.accountId,
        details: { revokedBefore: r.issuedBefore, policyName: r.policyName, updated: r.updated, awsTime: r.awsTime, keptStatements: r.keptStatements },
      });
      for (const w of r.warnings) io.stderr.write(`breakglass revoke: warning: ${w}\n`);
      const kept = r.keptStatements ? `, ${r.keptStatements} other statement(s) kept` : '';
      io.stdout.write(`Revoked in AWS: sessions of ${r.roleName} issued before ${r.issuedBefore} are denied (${r.policyName} ${r.updated ? 'updated' : 'created'}${kept}; AWS time ${r.awsTime}).\n${r.note}\n`);
      return 0;
    } catch (e) {
      const tr = e instanceof BreakGlassError ? e.translated : translateAwsError(e, { roleArn, operation: 'iam:PutRolePolicy' });
      await audit.append({ event: 'revoked_aws', roleArn, accountId: role.accountId, reason: { code: tr.code, message: tr.message } });
      io.stderr.write(`breakglass revoke: ${tr.title}: ${tr.message}\n`);
      return 1;
    } finally {
      base.clients.destroy();
    }
  },
};
