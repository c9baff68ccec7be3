// "Break-glass activity" as a webview list: one static, script-free page (CSP default-src 'none', a nonce'd style),
// a singleton panel refreshed with each lookup. Only CloudTrail metadata is shown — never a secret.
import * as vscode from 'vscode';
import { randomBytes } from 'crypto';
import type { ActivityResult } from '../core/trail/activity';

const esc = (s: string | undefined) => (s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function activityHtml(r: ActivityResult, nonce: string, cspSource: string): string {
  const flagged = r.items.filter((i) => i.flagged).length;
  const rows = r.items.map((i) => `<tr class="${i.flagged ? 'flagged' : ''}"><td>${esc(i.time)}</td><td>${esc(i.kind)}${i.errorCode ? ` (${esc(i.errorCode)})` : ''}</td>`
    + `<td>${esc(i.roleArn ?? i.userName)}</td><td>${esc(i.sessionName)}</td><td>${esc(i.sourceIdentity)}</td><td>${esc(i.accessKeyId)}</td>`
    + `<td>${i.matched ? `${esc(i.matched.incidentId)} ${esc(i.matched.requester)} <small>(by ${esc(i.matched.by)})</small>` : ''}</td><td>${i.flagged ? esc(i.reason) : ''}</td></tr>`).join('\n');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><title>Break-glass activity</title>
<style nonce="${nonce}">body{font-family:var(--vscode-font-family);color:var(--vscode-foreground)}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--vscode-panel-border)}tr.flagged td{color:var(--vscode-errorForeground)}</style></head>
<body><h1>Break-glass activity (CloudTrail)</h1>
<p role="status">Since ${esc(r.since)} · ${r.items.length} event(s) · <strong>${flagged} flagged</strong> (no matching Break Glass audit record, or a break-glass console sign-in)</p>
${r.items.length ? `<table><thead><tr><th>Time</th><th>Event</th><th>Role / user</th><th>Session</th><th>Source identity</th><th>Access key</th><th>Break Glass record</th><th>Flag</th></tr></thead><tbody>
${rows}</tbody></table>` : '<p>No break-glass AssumeRole or ConsoleLogin in CloudTrail for this period.</p>'}
</body></html>`;
}

export class ActivityPanel {
  private static current: vscode.WebviewPanel | undefined;

  static show(r: ActivityResult): vscode.WebviewPanel {
    let panel = ActivityPanel.current;
    if (!panel) {
      panel = vscode.window.createWebviewPanel('breakglass.activity', 'Break-glass activity', vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
      panel.onDidDispose(() => { ActivityPanel.current = undefined; });
      ActivityPanel.current = panel;
    }
    panel.webview.html = activityHtml(r, randomBytes(16).toString('base64'), panel.webview.cspSource);
    panel.reveal();
    return panel;
  }
}
