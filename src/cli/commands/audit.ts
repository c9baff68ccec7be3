// `breakglass audit`: summarise the audit log (sessions by playbook, requester and incident; active / revoked /
// expired; failed and interrupted requests; failed AWS-side revocations) as Markdown or JSON, with the hash chain
// verified. `breakglass audit verify` checks the chain and reports the first broken link; `breakglass audit export`
// writes every record with its chain fields; `--central` reads the CloudWatch Logs group instead of the local file.
import { promises as fsp } from 'fs';
import { parseArgs, type Parsed } from '../args';
import { UsageError, type CliIO, type Subcommand } from '../io';
import { AuditLog, defaultAuditPath, type AuditRecord } from '../../core/audit/log';
import { buildAuditExport, verifyAuditExport } from '../../core/audit/export';
import type { VerifyResult } from '../../core/audit/chain';
import { renderAuditJson, renderAuditMarkdown, summarizeAudit } from '../../core/audit/summary';
import { CloudWatchShipper, readCentralTrail } from '../../core/trail/cloudwatch';
import { cliBase } from './elevate';

const USAGE = `usage: breakglass audit [--incident ID] [--since DATE] [--until DATE] [--json] [--audit-log FILE]
                        [--central [--log-group NAME] [--profile P] [--region R] [--endpoint-url URL]]
       breakglass audit verify [--audit-log FILE | --export FILE] [--json]
       breakglass audit export [--audit-log FILE] [--output FILE]
       breakglass audit ship [--log-group NAME] [--audit-log FILE] [--profile P] [--region R] [--endpoint-url URL]

Summarise break-glass sessions from the audit log: counts by playbook, requester and incident, totals of active,
revoked and expired sessions, failed and interrupted requests and failed AWS-side revocations. The hash chain is
verified first; a broken link is reported above the totals (which still count every record read).

  verify   check the hash chain; prints the first broken link (edited, deleted, inserted, reordered or truncated
           lines) and exits 1, or exits 0 when the chain is intact. --export checks an exported file instead.
  export   every record with its chain fields, the chain head and a summary, as JSON (stdout or --output).
  ship     send the records not yet in the central trail (CloudWatch Logs) now; the extension does this on its own.

Options:
  --incident ID       only this incident (e.g. INC-2024-001)
  --since DATE        ISO 8601 date or instant (2024-01-01 or 2024-01-01T00:00:00Z)
  --until DATE        ISO 8601 date or instant; a bare date includes that whole day
  --json              JSON instead of Markdown
  --audit-log FILE    default: $BREAKGLASS_AUDIT_LOG or ~/.breakglass/audit.jsonl (shared with the extension)
  --central           summarise the central trail: the CloudWatch Logs group the records are shipped to
  --log-group NAME    the group (default: $BREAKGLASS_AUDIT_LOG_GROUP)
`;

function instant(v: string | undefined, name: string, endOfDay: boolean): string | undefined {
  if (v === undefined) return undefined;
  const bareDate = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const iso = bareDate ? `${v}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : v;
  if (Number.isNaN(Date.parse(iso))) throw new UsageError(`--${name} must be an ISO 8601 date or instant (e.g. 2024-01-31), not '${v}'`);
  return iso;
}

/** One line per problem of a chain check, for a terminal. */
export function describeVerify(v: VerifyResult, what: string): string {
  const extra = [v.legacy ? `${v.legacy} older unchained record(s)` : '', v.torn.length ? `${v.torn.length} torn line(s) from crashes (${v.torn.slice(0, 3).map((t) => `${t.file}:${t.line}`).join(', ')})` : ''].filter(Boolean).join('; ');
  if (v.ok) return `${what}: hash chain intact — ${v.verified} record(s) in ${v.files.length} file(s)${extra ? `; ${extra}` : ''}.\n`;
  const b = v.firstBreak!;
  return `${what}: hash chain BROKEN — first broken link: ${b.kind} at ${b.file} line ${b.line}.\n  ${b.message}\n  ${v.verified} of ${v.records} record(s) verified before the break${extra ? `; ${extra}` : ''}.\n`;
}

const SPEC = {
  incident: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, json: { type: 'boolean' },
  'audit-log': { type: 'string' }, export: { type: 'string' }, output: { type: 'string' },
  central: { type: 'boolean' }, 'log-group': { type: 'string' }, profile: { type: 'string' }, region: { type: 'string' }, 'endpoint-url': { type: 'string' },
} as const;

async function verify(p: Parsed, io: CliIO, log: AuditLog): Promise<number> {
  let v: VerifyResult;
  let what = log.file;
  if (p.options.export) {
    what = p.options.export as string;
    let data: unknown;
    try {
      data = JSON.parse(await fsp.readFile(what, 'utf8'));
    } catch (e) {
      throw new UsageError(`--export ${what}: cannot read it as JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    try {
      v = verifyAuditExport(data);
    } catch (e) {
      throw new UsageError(`--export ${what}: ${(e as Error).message}`);
    }
  } else {
    v = await log.verify();
  }
  io.stdout.write(p.options.json ? JSON.stringify(v, null, 2) + '\n' : describeVerify(v, what));
  return v.ok ? 0 : 1;
}

export const auditCommand: Subcommand = {
  name: 'audit',
  summary: 'summarise, verify (hash chain) or export the audit log; --central reads the CloudWatch Logs trail',
  usage: USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, { ...SPEC });
    const file = (p.options['audit-log'] as string | undefined) ?? defaultAuditPath(io.env);
    const log = new AuditLog(file);
    const [sub, ...extra] = p.positionals;
    if (extra.length || (sub && !['verify', 'export', 'ship'].includes(sub))) throw new UsageError(`unknown argument '${extra[0] ?? sub}': use 'verify', 'export', 'ship' or options only`);
    if (sub === 'verify') return verify(p, io, log);
    if (sub === 'export') {
      const body = JSON.stringify(await buildAuditExport(log), null, 2) + '\n';
      if (p.options.output) await fsp.writeFile(p.options.output as string, body, { mode: 0o600 });
      else io.stdout.write(body);
      return 0;
    }
    if (sub === 'ship') {
      const group = (p.options['log-group'] as string | undefined) ?? io.env.BREAKGLASS_AUDIT_LOG_GROUP;
      if (!group) throw new UsageError('ship needs --log-group NAME (or $BREAKGLASS_AUDIT_LOG_GROUP)');
      const base = await cliBase(p, io);
      const shipper = new CloudWatchShipper({ logs: base.clients.cloudWatchLogs(), logGroup: group, auditFile: file });
      try {
        const r = await shipper.ship();
        if (r.busy) io.stdout.write('Another Break Glass process is shipping right now; nothing to do.\n');
        else io.stdout.write(`Shipped ${r.sent} record(s) to ${group}/${shipper.logStream}; ${r.pending} still queued.\n`);
        if (r.error) io.stderr.write(`breakglass audit ship: ${r.error.code}: ${r.error.message}\n`);
        return r.error ? 1 : 0;
      } finally {
        shipper.dispose();
        base.clients.destroy();
      }
    }
    const query = {
      since: instant(p.options.since as string | undefined, 'since', false),
      until: instant(p.options.until as string | undefined, 'until', true),
      incident: p.options.incident as string | undefined,
    };
    let records: AuditRecord[];
    let extras = {};
    if (p.options.central) {
      const group = (p.options['log-group'] as string | undefined) ?? io.env.BREAKGLASS_AUDIT_LOG_GROUP;
      if (!group) throw new UsageError('--central needs --log-group NAME (or $BREAKGLASS_AUDIT_LOG_GROUP)');
      const base = await cliBase(p, io);
      try {
        const central = await readCentralTrail(base.clients.cloudWatchLogs(), group, { since: query.since });
        records = central.records;
        extras = { unreadableLines: central.unreadable };
        if (central.duplicates) io.stderr.write(`breakglass audit: ${central.duplicates} record(s) shipped twice (a retry after a crash) counted once.\n`);
      } finally {
        base.clients.destroy();
      }
    } else {
      const [{ records: recs, skipped, skippedLines }, integrity] = await Promise.all([log.read(), log.verify()]);
      records = recs;
      const unreadable = skippedLines?.length ?? skipped.length;
      extras = { integrity, unreadableLines: unreadable };
      if (!integrity.ok) io.stderr.write(describeVerify(integrity, file));
      else if (unreadable) io.stderr.write(`breakglass audit: skipped ${unreadable} unreadable line(s) in ${file}; a torn last line is expected after a crash.\n`);
    }
    const summary = summarizeAudit(records, query, extras);
    io.stdout.write(p.options.json ? renderAuditJson(summary) : renderAuditMarkdown(summary));
    return 0;
  },
};
