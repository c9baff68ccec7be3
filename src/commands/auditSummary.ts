import * as vscode from 'vscode';
import { renderAuditJson, renderAuditMarkdown, summarizeAudit } from '../core/audit/summary';
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
export async function auditSummary(ctx: CommandContext, args?: { sinceMs?: number; incident?: string; format?: 'markdown' | 'json' }): Promise<vscode.TextDocument | undefined> {
  let since = args?.sinceMs;
  if (since === undefined) {
    const p = await vscode.window.showQuickPick(PERIODS, { placeHolder: 'Summarise which period of the audit log?' });
    if (!p) return undefined;
    since = p.ms;
  }
  const log = ctx.audit();
  const { records, skipped } = await log.read();
  if (skipped.length) ctx.log.warn(`audit log ${log.file}: skipped ${skipped.length} unreadable line(s) (a torn write from a crash)`);
  const summary = summarizeAudit(records, { since: since ? new Date(Date.now() - since) : undefined, incident: args?.incident });
  const json = args?.format === 'json';
  const doc = await vscode.workspace.openTextDocument({
    language: json ? 'json' : 'markdown',
    content: json ? renderAuditJson(summary) : renderAuditMarkdown(summary),
  });
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/** Break Glass: Export Audit Log — the summary and every record as JSON, to a file the user picks. */
export async function exportAudit(ctx: CommandContext, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const uri = target ?? await vscode.window.showSaveDialog({ filters: { JSON: ['json'] }, saveLabel: 'Export Audit', title: 'Export the Break Glass audit log' });
  if (!uri) return undefined;
  const { records } = await ctx.audit().read();
  const summary = summarizeAudit(records, {});
  const body = JSON.stringify({ exportedAt: new Date().toISOString(), summary: JSON.parse(renderAuditJson(summary)), records }, null, 2);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(body + '\n'));
  ctx.log.info(`exported ${records.length} audit record(s) to ${uri.fsPath}`);
  return uri;
}
