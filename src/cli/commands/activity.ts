// `breakglass activity`: break-glass AssumeRole and ConsoleLogin events from CloudTrail over the last N days,
// correlated with the audit log; AssumeRoles that did not come through Break Glass are flagged. Ctrl-C cancels.
import { parseArgs } from '../args';
import { UsageError, type Subcommand } from '../io';
import { AuditLog, defaultAuditPath } from '../../core/audit/log';
import { lookupBreakGlassActivity, renderActivityMarkdown } from '../../core/trail/activity';
import { translateAwsError } from '../../core/aws/errors';
import { cliBase } from './elevate';

const USAGE = `usage: breakglass activity [--days N] [--json] [--audit-log FILE] [--profile P] [--region R] [--endpoint-url URL]

Lists CloudTrail AssumeRole events of BREAK-GLASS-* roles and ConsoleLogin events of *-BREAK-GLASS users over the
last N days (default 7, at most 90), matched with the audit log by access key id, session name and SourceIdentity.
An AssumeRole with no matching audit record, and every break-glass console sign-in, is flagged. CloudTrail allows two
lookups per second: a long period takes a while (Ctrl-C cancels).

Options:
  --days N            look back N days (1–90, default 7)
  --json              JSON instead of a Markdown table
  --audit-log FILE    default: $BREAKGLASS_AUDIT_LOG or ~/.breakglass/audit.jsonl
  --region R          the Region whose CloudTrail event history to read (console sign-ins are mostly in us-east-1)
`;

export const activityCommand: Subcommand = {
  name: 'activity',
  summary: 'break-glass AssumeRole / ConsoleLogin events from CloudTrail, correlated with the audit log',
  usage: USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, { days: { type: 'string' }, json: { type: 'boolean' }, 'audit-log': { type: 'string' }, profile: { type: 'string' }, region: { type: 'string' }, 'endpoint-url': { type: 'string' } });
    const days = p.options.days === undefined ? 7 : Number(p.options.days);
    if (!Number.isInteger(days) || days < 1 || days > 90) throw new UsageError(`--days must be a whole number from 1 to 90 (CloudTrail event history keeps 90 days), not '${String(p.options.days)}'`);
    const { records } = await new AuditLog((p.options['audit-log'] as string | undefined) ?? defaultAuditPath(io.env)).read();
    const base = await cliBase(p, io);
    const ac = new AbortController();
    const onInt = () => ac.abort();
    process.once('SIGINT', onInt);
    try {
      const r = await lookupBreakGlassActivity(base.clients.cloudTrail(), records, { days, abortSignal: ac.signal });
      io.stdout.write(p.options.json ? JSON.stringify(r, null, 2) + '\n' : renderActivityMarkdown(r));
      return 0;
    } catch (e) {
      if ((e as Error).name === 'AbortError') { io.stderr.write('breakglass activity: cancelled.\n'); return 130; }
      const tr = translateAwsError(e, { operation: 'cloudtrail:LookupEvents' });
      io.stderr.write(`breakglass activity: ${tr.title}: ${tr.message}\n`);
      return 1;
    } finally {
      process.removeListener('SIGINT', onInt);
      base.clients.destroy();
    }
  },
};
