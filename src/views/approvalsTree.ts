// The approvals part of the `breakglass.accounts` tree (two-person rule, issue 12): "Pending approvals" for approvers
// (Approve / Deny inline) and "My requests" with each request's state (Elevate inline once approved). Shown only when
// the workspace config has an `approvals` block. The list is fetched when the view becomes visible and every 30 s
// while it stays visible; nothing is polled while it is hidden. Elements are plain data with stable ids.
import * as vscode from 'vscode';
import { playbookDisplayName } from '../core/approvals/hash';
import type { RequestLists } from '../core/approvals/requests';
import { statusLabel, type ApprovalRequest } from '../core/approvals/types';
import { translateAwsError } from '../core/aws/errors';
import { timeLeft } from './countdown';

export type ApprovalNode =
  | { kind: 'pendingApprovals'; id: string }
  | { kind: 'myRequests'; id: string }
  | { kind: 'approvalsError'; id: string; message: string }
  | { kind: 'request'; id: string; request: ApprovalRequest; parentId: 'pendingApprovals' | 'myRequests' };

const KINDS = new Set(['pendingApprovals', 'myRequests', 'approvalsError', 'request']);
export function isApprovalNode(n: { kind: string }): n is ApprovalNode {
  return KINDS.has(n.kind);
}

/** `request:pending` (for an approver), `request:mine:<state>` for the requester's own. */
export function requestContextValue(r: ApprovalRequest, mine: boolean, nowMs: number): string {
  const state = r.breakGlass ? 'breakglass' : statusLabel(r, nowMs);
  return mine ? `request:mine:${state}` : `request:${state}`;
}

export interface ApprovalsSectionOptions {
  /** Fetches the lists; undefined when the workspace has no approvals block. */
  load: () => Promise<RequestLists | undefined>;
  pollMs?: number;
  now?: () => number;
}

export class ApprovalsSection implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when the lists changed (the tree repaints its approval groups). */
  readonly onDidChange = this.emitter.event;
  private readonly approvedEmitter = new vscode.EventEmitter<ApprovalRequest>();
  /** One of my requests turned approved since the last fetch (offer Elevate at once). */
  readonly onDidApprove = this.approvedEmitter.event;
  /** Sessions started with "Break glass anyway" in this window (the table's items cover earlier ones). */
  private readonly brokeGlass = new Set<string>();
  private lists: RequestLists | undefined;
  private error: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private inflight: Promise<void> | undefined;
  private readonly pollMs: number;
  private readonly now: () => number;
  /** How many fetches were made (tests check that a hidden view does not poll). */
  fetches = 0;
  /** What the last fetch showed: a poll that changes nothing repaints nothing. */
  private shown = '';

  constructor(private readonly opts: ApprovalsSectionOptions) {
    this.pollMs = opts.pollMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /** Visible: fetch now and poll; hidden: stop polling. */
  setVisible(visible: boolean): void {
    if (visible) {
      void this.refresh();
      this.timer ??= setInterval(() => void this.refresh(), this.pollMs);
    } else if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  get polling(): boolean {
    return this.timer !== undefined;
  }

  /** Fetches the lists once (concurrent callers share the fetch). */
  refresh(): Promise<void> {
    this.inflight ??= (async () => {
      this.fetches++;
      try {
        const before = new Map((this.lists?.mine ?? []).map((r) => [r.id, r.status]));
        this.lists = await this.opts.load();
        this.error = undefined;
        for (const r of this.lists?.mine ?? []) if (before.get(r.id) === 'pending' && r.status === 'approved') this.approvedEmitter.fire(r);
      } catch (e) {
        this.error = translateAwsError(e).message;
      } finally {
        this.inflight = undefined;
      }
      const shown = JSON.stringify([this.error, this.lists?.isApprover, [...(this.lists?.pending ?? []), ...(this.lists?.mine ?? [])].map((r) => `${r.id}:${r.version}:${statusLabel(r, this.now())}`)]);
      if (shown !== this.shown) {
        this.shown = shown;
        this.emitter.fire();
      }
    })();
    return this.inflight;
  }

  markBrokeGlass(sessionId: string): void {
    this.brokeGlass.add(sessionId);
  }

  /** Whether a session was started without approval ("Break glass anyway"): shown as such on its tree items. */
  isBreakGlassSession(sessionId: string): boolean {
    return this.brokeGlass.has(sessionId) || Boolean(this.lists?.mine.some((r) => r.breakGlass && r.sessionId === sessionId));
  }

  get current(): RequestLists | undefined {
    return this.lists;
  }

  roots(): ApprovalNode[] {
    if (this.error) return [{ kind: 'approvalsError', id: 'approvalsError', message: this.error }];
    if (!this.lists) return [];
    const out: ApprovalNode[] = [];
    if (this.lists.isApprover) out.push({ kind: 'pendingApprovals', id: 'pendingApprovals' });
    if (this.lists.mine.length) out.push({ kind: 'myRequests', id: 'myRequests' });
    return out;
  }

  children(n: ApprovalNode): ApprovalNode[] {
    if (!this.lists) return [];
    if (n.kind === 'pendingApprovals') return this.lists.pending.map((request) => ({ kind: 'request', id: `pending:${request.id}`, request, parentId: 'pendingApprovals' }));
    if (n.kind === 'myRequests') return this.lists.mine.slice(0, 20).map((request) => ({ kind: 'request', id: `mine:${request.id}`, request, parentId: 'myRequests' }));
    return [];
  }

  treeItem(n: ApprovalNode): vscode.TreeItem {
    const now = this.now();
    switch (n.kind) {
      case 'approvalsError': {
        const item = new vscode.TreeItem('Approvals unavailable', vscode.TreeItemCollapsibleState.None);
        item.id = n.id;
        item.description = n.message;
        item.tooltip = n.message;
        item.iconPath = new vscode.ThemeIcon('error');
        item.contextValue = 'approvalsError';
        return item;
      }
      case 'pendingApprovals': {
        const count = this.lists?.pending.length ?? 0;
        const item = new vscode.TreeItem('Pending approvals', count ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        item.id = n.id;
        item.description = String(count);
        item.iconPath = new vscode.ThemeIcon('inbox');
        item.contextValue = 'pendingApprovals';
        item.tooltip = 'Requests from other responders that you may approve or deny.';
        return item;
      }
      case 'myRequests': {
        const item = new vscode.TreeItem('My requests', vscode.TreeItemCollapsibleState.Expanded);
        item.id = n.id;
        item.description = String(this.lists?.mine.length ?? 0);
        item.iconPath = new vscode.ThemeIcon('git-pull-request');
        item.contextValue = 'myRequests';
        return item;
      }
      case 'request': {
        const r = n.request;
        const mine = n.parentId === 'myRequests';
        const role = r.roleArn.split('/').pop() ?? r.roleArn;
        const state = statusLabel(r, now);
        const item = new vscode.TreeItem(r.incidentId, vscode.TreeItemCollapsibleState.None);
        item.id = n.id;
        const left = state === 'pending' || state === 'approved' ? ` · ${timeLeft(Date.parse(r.expiresAt), now)} left` : '';
        item.description = `${r.breakGlass ? 'BREAK GLASS' : state}${left} · ${role} · ${playbookDisplayName(r.playbook)}${mine ? '' : ` · ${r.requester}`}`;
        item.contextValue = requestContextValue(r, mine, now);
        item.iconPath = new vscode.ThemeIcon(r.breakGlass ? 'warning' : state === 'approved' ? 'pass' : state === 'denied' ? 'circle-slash' : state === 'used' ? 'check-all' : state === 'expired' ? 'history' : 'clock',
          r.breakGlass ? new vscode.ThemeColor('list.warningForeground') : undefined);
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${r.incidentId}** — ${r.breakGlass ? '**BREAK GLASS: elevated without approval**' : state}\n\n`);
        md.appendText(`Role: ${r.roleArn}\nPlaybook: ${playbookDisplayName(r.playbook)} (policy sha256 ${r.policyHash.slice(0, 16)}…)\n`);
        md.appendText(`Requester: ${r.requester} (${r.requesterArn})\nJustification: ${r.justification}\n`);
        md.appendText(`Requested ${r.requestedAt}, expires ${r.expiresAt}\n`);
        if (r.approvals.length) md.appendText(`Approved by: ${r.approvals.map((a) => a.arn).join(', ')}\n`);
        if (r.decidedByArn && r.status === 'denied') md.appendText(`Denied by: ${r.decidedByArn}\n`);
        if (r.note) md.appendText(`Note: ${r.note}\n`);
        if (r.lastFailure) md.appendText(`Last elevation failure: ${r.lastFailure}\n`);
        if (r.accessKeyId) md.appendText(`Session key: ${r.accessKeyId}\n`);
        md.appendText(`Request id: ${r.id}`);
        item.tooltip = md;
        if (mine && state === 'approved') item.command = { command: 'breakglass.elevateApproved', title: 'Elevate', arguments: [n] };
        return item;
      }
    }
  }

  dispose(): void {
    this.setVisible(false);
    this.emitter.dispose();
    this.approvedEmitter.dispose();
  }
}
