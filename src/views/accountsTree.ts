// The `breakglass.accounts` tree: "Active sessions" on top, then accounts → incident-response roles → live sessions.
// Elements are plain data with stable ids, cached so the same object stands for the same id (VS Code refreshes an
// element by identity), and turned into TreeItems in one place. getParent makes reveal() work. Countdowns repaint at
// most once per second, only the items whose text changed, and not at all while the view is hidden.
import * as vscode from 'vscode';
import type { AccountConfig, RoleConfig, WorkspaceConfig } from '../core/config';
import type { AccountSummary } from '../core/readiness/drill';
import type { SessionChange, SessionStore } from '../core/session/store';
import type { Session } from '../core/session/types';
import { formatDuration, timeLeft, timeLeftSpoken } from './countdown';
import type { WorkspaceConfigService } from './workspaceConfig';
import { isApprovalNode, type ApprovalNode, type ApprovalsSection } from './approvalsTree';

export type AccountsNode =
  | { kind: 'activeSessions'; id: string }
  | { kind: 'account'; id: string; account: AccountConfig }
  | { kind: 'role'; id: string; account: AccountConfig; role: RoleConfig }
  | { kind: 'session'; id: string; session: Session; parentId: string }
  | { kind: 'more'; id: string; shown: number; total: number }
  | ApprovalNode; // approvals (issue 12)

/** Accounts shown per page: a 5,000-account organisation pages in instead of freezing the view. */
export const ACCOUNTS_PAGE = 200;

/** The state part of a session's contextValue: `session:active`, `session:expiring`, `session:expired`, `session:revoked`. */
export function sessionContextValue(s: Session, nowMs: number, expiringWithinMs: number): string {
  if (s.state === 'revoked') return 'session:revoked';
  const left = Date.parse(s.expiresAt) - nowMs;
  if (s.state === 'expired' || left <= 0) return 'session:expired';
  if (s.state === 'expiring' || left <= expiringWithinMs) return 'session:expiring';
  return 'session:active';
}


const STATE_WORDS: Record<string, string> = {
  'session:active': 'active', 'session:expiring': 'expiring soon', 'session:expired': 'expired', 'session:revoked': 'revoked',
};

/**
 * A session item's accessible label: every visible fact in words (incident, state — "expiring soon" is otherwise only
 * the watch icon and its colour —, time left by the minute, role, playbook, break-glass mark) and what only the
 * tooltip shows (requester, justification, exact expiry, role ARN).
 */
export function sessionAccessibleLabel(s: Session, nowMs: number, contextValue: string, breakGlass: boolean, underActiveSessions: boolean): string {
  const state = STATE_WORDS[contextValue] ?? contextValue.replace(/^session:/, '');
  const left = timeLeftSpoken(Date.parse(s.expiresAt), nowMs);
  return [
    `Session ${s.incidentId}`,
    breakGlass ? 'BREAK GLASS, elevated without approval' : undefined,
    state === 'expired' && left === 'expired' ? 'expired' : `${state}, ${left}`,
    underActiveSessions ? `role ${s.roleName}, playbook ${s.playbook}` : `playbook ${s.playbook}, role ${s.roleName}`,
    `expires at ${new Date(s.expiresAt).toLocaleTimeString()} (${s.expiresAt})`,
    `requester ${s.requester}`,
    `justification: ${s.justification}`,
    `role ARN ${s.roleArn}`,
  ].filter(Boolean).join('; ');
}

export interface AccountsTreeOptions {
  now?: () => number;
  /** The last warning threshold: sessions closer than this to expiry are `session:expiring`. */
  expiringWithinMs?: () => number;
  /** "Pending approvals" / "My requests" (issue 12). */
  approvals?: ApprovalsSection;
}

export class AccountsTreeProvider implements vscode.TreeDataProvider<AccountsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<AccountsNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private config: WorkspaceConfig = { version: 1, accounts: [] };
  private readonly nodes = new Map<string, AccountsNode>();
  /** What each visible session item last showed, to repaint only what changed. */
  private readonly shown = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];
  private ticker: ReturnType<typeof setInterval> | undefined;
  private accountsShown = ACCOUNTS_PAGE;
  private liveCount = 0;
  /** The last readiness check per account id: its badge in the tree. */
  private readonly readiness = new Map<string, AccountSummary & { at: string }>();
  private readonly now: () => number;
  private readonly expiringWithinMs: () => number;
  readonly approvals: ApprovalsSection | undefined;

  constructor(private readonly configs: WorkspaceConfigService, private readonly sessions: SessionStore, opts: AccountsTreeOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.expiringWithinMs = opts.expiringWithinMs ?? (() => 2 * 60_000);
    this.approvals = opts.approvals;
    if (this.approvals) this.disposables.push(this.approvals.onDidChange(() => this.onApprovalsChange()));
    this.disposables.push(configs.onDidChange((c) => {
      this.config = c;
      this.refresh();
    }));
    this.liveCount = this.liveSessions().length;
    const sub = sessions.onDidChange((e) => this.onSessionChange(e));
    this.disposables.push({ dispose: () => sub.dispose() });
  }

  /** Starts or stops the countdown with the view's visibility. */
  attach(view: vscode.TreeView<AccountsNode>): void {
    const sync = () => {
      if (view.visible) this.startTicking();
      else this.stopTicking();
      this.approvals?.setVisible(view.visible); // fetched while visible, no polling while hidden
    };
    this.disposables.push(view.onDidChangeVisibility(sync));
    sync();
  }

  /**
   * Repaints only what a session change touches: the session's own items for a warning (their state turns to
   * expiring), otherwise "Active sessions" and the session's role. Only when the first session starts or the last one
   * ends does the top level change (the "Active sessions" node comes or goes), and then the whole tree refreshes.
   */
  private onSessionChange(e: SessionChange): void {
    const id = e.session.id;
    if (e.kind === 'warning') {
      for (const n of [this.nodes.get(`session:${id}`), this.nodes.get(`active:${id}`)]) if (n) this.emitter.fire(n);
      return;
    }
    if (e.kind !== 'added' && e.kind !== 'restored') {
      for (const key of [`session:${id}`, `active:${id}`]) {
        this.nodes.delete(key);
        this.shown.delete(key);
      }
    }
    const live = this.liveSessions().length;
    const topChanged = (live > 0) !== (this.liveCount > 0);
    this.liveCount = live;
    const parents = [this.nodes.get('activeSessions'), this.nodes.get(`role:${e.session.roleArn}`)].filter((n): n is AccountsNode => !!n);
    if (topChanged || !parents.length) {
      this.refresh();
      return;
    }
    for (const n of parents) this.emitter.fire(n);
  }

  /** Shows the badges of a readiness check (pass / warnings / failing) on the accounts it covered. */
  setReadiness(accounts: AccountSummary[], at = new Date().toISOString()): void {
    for (const a of accounts) this.readiness.set(a.accountId, { ...a, at });
    for (const a of accounts) {
      const n = this.nodes.get(`account:${a.accountId}`);
      if (n) this.emitter.fire(n);
    }
  }

  /** The badge text of an account's last readiness check, if any. */
  readinessBadge(accountId: string): string | undefined {
    const r = this.readiness.get(accountId);
    if (!r) return undefined;
    return r.status === 'pass' ? 'ready' : r.status === 'warn' ? `${r.warn} warning${r.warn === 1 ? '' : 's'}` : `${r.fail} failing`;
  }

  /** Repaints the approval groups; the whole tree only when a group comes or goes (issue 12). */
  private onApprovalsChange(): void {
    const roots = (this.approvals?.roots() ?? []).map((n) => n.id);
    const groups = roots.map((id) => this.nodes.get(id));
    if (groups.some((g) => !g) || ['pendingApprovals', 'myRequests', 'approvalsError'].some((id) => this.nodes.has(id) && !roots.includes(id))) {
      this.refresh();
      return;
    }
    for (const g of groups) this.emitter.fire(g);
  }

  /** Shows the next page of accounts. */
  showMore(): void {
    this.accountsShown += ACCOUNTS_PAGE;
    this.refresh();
  }

  refresh(): void {
    this.nodes.clear();
    this.shown.clear();
    this.emitter.fire(undefined);
  }

  private node<T extends AccountsNode>(n: T): T {
    const existing = this.nodes.get(n.id) as T | undefined;
    if (existing) {
      Object.assign(existing, n);
      return existing;
    }
    this.nodes.set(n.id, n);
    return n;
  }

  private liveSessions(): Session[] {
    return this.sessions.list().filter((s) => s.state === 'active' || s.state === 'expiring')
      .sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
  }

  async getChildren(element?: AccountsNode): Promise<AccountsNode[]> {
    if (!element) {
      this.config = await this.configs.get();
      const top: AccountsNode[] = [];
      if (this.liveSessions().length) top.push(this.node({ kind: 'activeSessions', id: 'activeSessions' }));
      for (const n of this.approvals?.roots() ?? []) top.push(this.node(n));
      const accounts = this.config.accounts.slice(0, this.accountsShown)
        .map((account) => this.node<AccountsNode>({ kind: 'account', id: `account:${account.id}`, account }));
      if (this.config.accounts.length > this.accountsShown) {
        accounts.push(this.node({ kind: 'more', id: 'more', shown: this.accountsShown, total: this.config.accounts.length }));
      }
      return [...top, ...accounts];
    }
    if (isApprovalNode(element)) return (this.approvals?.children(element) ?? []).map((n) => this.node(n));
    switch (element.kind) {
      case 'activeSessions':
        return this.liveSessions().map((session) => this.node({ kind: 'session', id: `active:${session.id}`, session, parentId: element.id }));
      case 'account':
        return element.account.roles.map((role) => this.node({ kind: 'role', id: `role:${role.arn}`, account: element.account, role }));
      case 'role':
        return this.liveSessions().filter((s) => s.roleArn === element.role.arn)
          .map((session) => this.node({ kind: 'session', id: `session:${session.id}`, session, parentId: element.id }));
      default:
        return [];
    }
  }

  getParent(element: AccountsNode): AccountsNode | undefined {
    if (element.kind === 'role') return this.nodes.get(`account:${element.account.id}`);
    if (element.kind === 'session') return this.nodes.get(element.parentId);
    if (element.kind === 'request') return this.nodes.get(element.parentId);
    return undefined;
  }

  /** The tree node of a live session under its role (or under "Active sessions" when the role is not configured). */
  async findSession(sessionId: string): Promise<AccountsNode | undefined> {
    await this.getChildren();
    for (const a of this.config.accounts) {
      const accountNode = this.nodes.get(`account:${a.id}`)!;
      for (const r of await this.getChildren(accountNode)) {
        const hit = (await this.getChildren(r)).find((n) => n.kind === 'session' && n.session.id === sessionId);
        if (hit) return hit;
      }
    }
    const active = this.nodes.get('activeSessions');
    return active && (await this.getChildren(active)).find((n) => n.kind === 'session' && n.session.id === sessionId);
  }

  /**
   * Every item carries accessibilityInformation that states what it shows in words — its label, its description, and
   * what its icon or colour means (expiring, readiness, no MFA) — plus, for a session, what only the tooltip shows
   * (requester, justification, exact expiry, role ARN). A session's accessible label counts down by the minute, so a
   * screen reader is not made to re-read it every second while the visible countdown shows seconds.
   */
  getTreeItem(element: AccountsNode): vscode.TreeItem {
    const item = this.treeItem(element);
    item.accessibilityInformation ??= { label: [item.label, item.description].filter(Boolean).map(String).join(', ') };
    return item;
  }

  private treeItem(element: AccountsNode): vscode.TreeItem {
    if (isApprovalNode(element)) return this.approvals!.treeItem(element);
    switch (element.kind) {
      case 'activeSessions': {
        const item = new vscode.TreeItem('Active sessions', vscode.TreeItemCollapsibleState.Expanded);
        item.id = element.id;
        item.iconPath = new vscode.ThemeIcon('pulse');
        const live = this.liveSessions().length;
        item.description = String(live);
        item.contextValue = 'activeSessions';
        item.accessibilityInformation = { label: `Active sessions: ${live} live session${live === 1 ? '' : 's'}` };
        return item;
      }
      case 'account': {
        const a = element.account;
        // Expanded when there are few accounts; collapsed (children loaded on demand) in large organisations.
        const item = new vscode.TreeItem(a.name, this.config.accounts.length <= 20
          ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = element.id;
        item.description = a.partition === 'aws' ? a.id : `${a.id} · ${a.partition}`;
        const ready = this.readiness.get(a.id);
        const badge = this.readinessBadge(a.id);
        if (badge) item.description += ` · ${badge}`;
        item.iconPath = new vscode.ThemeIcon(!ready ? 'organization' : ready.status === 'pass' ? 'pass' : ready.status === 'warn' ? 'warning' : 'error');
        item.contextValue = 'account';
        item.accessibilityInformation = {
          label: `Account ${a.name}, ${a.id}${a.partition === 'aws' ? '' : `, partition ${a.partition}`}` +
            `${badge ? `, readiness check: ${badge}` : ''}${a.regions.length ? `, regions ${a.regions.join(', ')}` : ''}`,
        };
        item.tooltip = new vscode.MarkdownString(`**${a.name}**\n\nAccount \`${a.id}\` (${a.partition})` +
          (a.regions.length ? `\n\nRegions: ${a.regions.join(', ')}` : '') +
          (ready ? `\n\nReadiness check ${ready.at}: ${ready.pass} passed, ${ready.warn} warnings, ${ready.fail} failures` : ''));
        return item;
      }
      case 'role': {
        const r = element.role;
        const hasSessions = this.liveSessions().some((s) => s.roleArn === r.arn);
        const item = new vscode.TreeItem(r.name, hasSessions ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        item.id = element.id;
        const parts: string[] = [];
        if (r.maxSessionDuration) parts.push(`max ${formatDuration(r.maxSessionDuration)}`);
        if (r.mfaRequired !== undefined) parts.push(r.mfaRequired ? 'MFA required' : 'no MFA in trust');
        item.description = parts.join(' · ');
        item.iconPath = new vscode.ThemeIcon(r.mfaRequired === false ? 'warning' : 'key');
        item.contextValue = 'role';
        item.accessibilityInformation = {
          label: `Role ${r.name}${parts.length ? `, ${parts.join(', ')}` : ''}${r.mfaRequired === false ? ' (warning)' : ''}` +
            `${hasSessions ? ', has live sessions' : ''}, ARN ${r.arn}`,
        };
        const md = new vscode.MarkdownString(`**${r.name}**\n\n\`${r.arn}\``);
        if (r.description) md.appendMarkdown(`\n\n${r.description}`);
        if (r.template) md.appendMarkdown(`\n\nProvisioned from template \`${r.template}\``);
        md.appendMarkdown(`\n\nPermissions boundary: ${r.permissionsBoundary ? `\`${r.permissionsBoundary}\`` : 'none'}`);
        if (r.tags && Object.keys(r.tags).length) {
          md.appendMarkdown(`\n\nTags: ${Object.entries(r.tags).map(([k, v]) => `\`${k}=${v}\``).join(', ')}`);
        }
        item.tooltip = md;
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(`Show ${Math.min(ACCOUNTS_PAGE, element.total - element.shown)} more accounts…`, vscode.TreeItemCollapsibleState.None);
        item.id = element.id;
        item.description = `${element.shown} of ${element.total}`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'more';
        item.accessibilityInformation = { label: `${item.label}, ${element.shown} of ${element.total} accounts shown`, role: 'button' };
        item.command = { command: 'breakglass.showMoreAccounts', title: 'Show more accounts' };
        return item;
      }
      case 'session': {
        const s = element.session;
        const now = this.now();
        const underTop = element.parentId === 'activeSessions';
        // The countdown comes first in the description, where a narrow sidebar still shows it.
        const item = new vscode.TreeItem(s.incidentId, vscode.TreeItemCollapsibleState.None);
        item.id = element.id;
        const left = timeLeft(Date.parse(s.expiresAt), now);
        this.shown.set(element.id, left);
        const playbook = s.playbook.startsWith('file:') ? s.playbook.split(/[\\/]/).pop() : s.playbook;
        item.description = `${left} · ${underTop ? s.roleName : playbook}`;
        if (this.approvals?.isBreakGlassSession(s.id)) item.description = `BREAK GLASS (no approval) · ${item.description}`; // issue 12
        item.contextValue = sessionContextValue(s, now, this.expiringWithinMs());
        item.iconPath = new vscode.ThemeIcon(item.contextValue === 'session:expiring' ? 'watch' : 'shield',
          item.contextValue === 'session:expiring' ? new vscode.ThemeColor('list.warningForeground') : undefined);
        item.tooltip = new vscode.MarkdownString(`**${s.incidentId}** on \`${s.roleArn}\`\n\n` +
          `Playbook: \`${s.playbook}\`\n\nRequester: ${s.requester}\n\nJustification: ${s.justification}\n\n` +
          `Issued ${s.issuedAt}, expires ${s.expiresAt}\n\nSession name \`${s.roleSessionName}\`, key \`${s.accessKeyId}\``);
        item.command = { command: 'breakglass.openTerminal', title: 'Open Terminal', arguments: [s.id] };
        item.accessibilityInformation = { label: sessionAccessibleLabel(s, now, item.contextValue, this.approvals?.isBreakGlassSession(s.id) ?? false, underTop) };
        return item;
      }
    }
  }

  /** One countdown step: repaint the session items whose text changed. Exposed for tests with a fake clock. */
  tick(): number {
    const now = this.now();
    let repainted = 0;
    for (const [id, text] of this.shown) {
      const n = this.nodes.get(id);
      if (n?.kind !== 'session') continue;
      if (timeLeft(Date.parse(n.session.expiresAt), now) !== text) {
        this.emitter.fire(n);
        repainted++;
      }
    }
    return repainted;
  }

  private startTicking(): void {
    this.ticker ??= setInterval(() => this.tick(), 1000);
  }

  private stopTicking(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  get ticking(): boolean {
    return this.ticker !== undefined;
  }

  dispose(): void {
    this.stopTicking();
    vscode.Disposable.from(...this.disposables).dispose();
    this.emitter.dispose();
  }
}
