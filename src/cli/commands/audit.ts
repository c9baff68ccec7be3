// `breakglass audit`: summarise the audit log (sessions by playbook, requester and incident; active / revoked /
// expired; failed requests) as Markdown or JSON.
import { parseArgs } from '../args';
import { UsageError, type Subcommand } from '../io';
import { AuditLog, defaultAuditPath } from '../../core/audit/log';
import { renderAuditJson, renderAuditMarkdown, summarizeAudit } from '../../core/audit/summary';

const USAGE = `usage: breakglass audit [--incident ID] [--since DATE] [--until DATE] [--json] [--audit-log FILE]

Summarise break-glass sessions from the audit log: counts by playbook, requester and incident, totals of active,
revoked and expired sessions, and failed requests.

Options:
  --incident ID       only this incident (e.g. INC-2024-001)
  --since DATE        ISO 8601 date or instant (2024-01-01 or 2024-01-01T00:00:00Z)
  --until DATE        ISO 8601 date or instant; a bare date includes that whole day
  --json              JSON instead of Markdown
  --audit-log FILE    default: $BREAKGLASS_AUDIT_LOG or ~/.breakglass/audit.jsonl
`;

function instant(v: string | undefined, name: string, endOfDay: boolean): string | undefined {
  if (v === undefined) return undefined;
  const bareDate = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const iso = bareDate ? `${v}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : v;
  if (Number.isNaN(Date.parse(iso))) throw new UsageError(`--${name} must be an ISO 8601 date or instant (e.g. 2024-01-31), not '${v}'`);
  return iso;
}

export const auditCommand: Subcommand = {
  name: 'audit',
  summary: 'summarise break-glass sessions from the audit log (Markdown or JSON)',
  usage: USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, {
      incident: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, json: { type: 'boolean' },
      'audit-log': { type: 'string' },
    });
    const file = (p.options['audit-log'] as string | undefined) ?? defaultAuditPath(io.env);
    const { records, skipped } = await new AuditLog(file).read();
    if (skipped.length) {
      io.stderr.write(`breakglass audit: skipped ${skipped.length} unreadable line(s) in ${file} (line ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''}); a torn last line is expected after a crash.\n`);
    }
    const summary = summarizeAudit(records, {
      since: instant(p.options.since as string | undefined, 'since', false),
      until: instant(p.options.until as string | undefined, 'until', true),
      incident: p.options.incident as string | undefined,
    });
    io.stdout.write(p.options.json ? renderAuditJson(summary) : renderAuditMarkdown(summary));
    return 0;
  },
};
