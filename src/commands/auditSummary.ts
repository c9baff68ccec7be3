import * as vscode from 'vscode';
import { buildAuditExport } from '../core/audit/export';
import type { AuditRecord } from '../core/audit/log';
import { renderAuditJson, renderAuditMarkdown, summarizeAudit, type SummaryExtras } from '../core/audit/summary';
import { BreakGlassError, translateAwsError } from '../core/aws/errors';
import { centralLogGroup } from '../views/auditTrail';
import type { CommandContext } from './context';

const PERIODS = [
  { label: 'Last 24 hours', ms: 24 * 3600_000 },
  { label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { label: 'Last 30 days', ms: 30 * 24 * 3600_000 },
  { label: 'Everything in the log', ms: 0 },
];

/**
 * Break Glass: Audit Summary — counts by playbook, requester and incident over a period (the seed's
 * audit_jit_sessions), opened as a Markdown document. `args` skip the questions (tests).
 */
export async function auditSummary(ctx: CommandContext, args?: { sinceMs?: number; incident?: string; format?: 'markdown' | 'json'; central?: boolean }): Promise<vscode.TextDocument | undefined> {
  let since = args?.sinceMs;
  if (since === undefined) {
    const p = await vscode.window.showQuickPick(PERIODS, { placeHolder: 'Summarise which period of the audit log?' });
    if (!p) return undefined;
    since = p.ms;
  }
  const group = centralLogGroup();
  let central = args?.central;
  if (central === undefined && group) {
    const p = await vscode.window.showQuickPick([
      { label: 'This machine\'s audit log', central: false, detail: ctx.audit().file },
      { label: 'The central trail', central: true, detail: `CloudWatch Logs group ${group} (every responder's shipped records)` },
    ], { placeHolder: 'Summarise which audit trail?' });
    if (!p) return undefined;
    central = p.central;
  }
  const sinceDate = since ? new Date(Date.now() - since) : undefined;
  let records: AuditRecord[];
  let extras: SummaryExtras;
  if (central) {
    if (!group) throw new Error('No central trail is configured: set breakglass.audit.cloudWatchLogGroup in your user settings.');
    const { readCentralTrail } = await import('../core/trail/cloudwatch');
    const clients = await ctx.aws.clients();
    const c = await readCentralTrail(clients.cloudWatchLogs(), group, { since: sinceDate?.toISOString() }).catch((e: unknown) => {
      throw new BreakGlassError(translateAwsError(e, { operation: 'logs:FilterLogEvents' }));
    });
    records = c.records;
    extras = { unreadableLines: c.unreadable };
  } else {
    const log = ctx.audit();
    const [read, integrity] = await Promise.all([log.read(), log.verify()]);
    records = read.records;
    const unreadable = read.skippedLines?.length ?? read.skipped.length;
    extras = { integrity, unreadableLines: unreadable };
    if (!integrity.ok) {
      ctx.log.warn(`audit log ${log.file}: hash chain broken: ${integrity.firstBreak?.message}`);
      void vscode.window.showWarningMessage(`Break Glass: the audit log was tampered with or damaged — first broken link: ${integrity.firstBreak?.kind} at ${integrity.firstBreak?.file} line ${integrity.firstBreak?.line}. See the summary.`);
    } else if (unreadable) ctx.log.warn(`audit log ${log.file}: skipped ${unreadable} unreadable line(s) (a torn write from a crash)`);
  }
  const summary = summarizeAudit(records, { since: sinceDate, incident: args?.incident }, extras);
  const json = args?.format === 'json';
  const doc = await vscode.workspace.openTextDocument({
    language: json ? 'json' : 'markdown',
    content: json ? renderAuditJson(summary) : renderAuditMarkdown(summary),
  });
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/**
 * Break Glass: Export Audit Log — every record with its hash-chain fields, the chain head, the verification result and
 * the summary as JSON, to a file the user picks (`breakglass audit verify --export FILE` re-checks it).
 */
export async function exportAudit(ctx: CommandContext, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const uri = target ?? await vscode.window.showSaveDialog({ filters: { JSON: ['json'] }, saveLabel: 'Export Audit', title: 'Export the Break Glass audit log' });
  if (!uri) return undefined;
  const data = await buildAuditExport(ctx.audit());
  const body = JSON.stringify(data, null, 2);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(body + '\n'));
  ctx.log.info(`exported ${data.records.length} audit record(s) to ${uri.fsPath} (hash chain ${data.integrity.ok ? 'intact' : 'BROKEN'})`);
  return uri;
}
