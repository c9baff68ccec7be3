// One status-bar item for the soonest-expiring live session: shield, incident and time left; the warning background
// and a warning icon only inside the last warning threshold (its accessible label says so in words); click reveals the session in the tree; hidden when no session is live.
import * as vscode from 'vscode';
import type { SessionStore } from '../core/session/store';
import type { Session } from '../core/session/types';
import { timeLeft, timeLeftSpoken } from './countdown';

export class SessionStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly sessions: SessionStore,
    private readonly opts: { now?: () => number; lastThresholdMs: () => number },
  ) {
    this.item = vscode.window.createStatusBarItem('breakglass.session', vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'Break Glass session';
    this.item.command = 'breakglass.revealSession';
    const sub = sessions.onDidChange(() => this.update());
    this.disposables.push(this.item, { dispose: () => sub.dispose() });
    this.update();
  }

  /** The live session that expires first. */
  soonest(): Session | undefined {
    return this.sessions.list().filter((s) => s.state === 'active' || s.state === 'expiring')
      .sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt))[0];
  }

  update(): void {
    const s = this.soonest();
    if (!s) {
      this.item.hide();
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = (this.opts.now ?? Date.now)();
    const expiresMs = Date.parse(s.expiresAt);
    const left = timeLeft(expiresMs, now);
    const others = this.sessions.live().length - 1;
    const warning = expiresMs - now <= this.opts.lastThresholdMs();
    const otherText = others > 0 ? `${others} other live session${others === 1 ? '' : 's'}` : '';
    // The warning is not only the background colour: a warning icon in the text, and the words in the labels.
    this.item.text = `$(${warning ? 'warning' : 'shield'}) ${s.incidentId} · ${left.replace(' left', '')}${others > 0 ? ` +${others}` : ''}`;
    this.item.tooltip = `Break Glass: ${warning ? 'WARNING, expires soon — ' : ''}${s.roleName} for ${s.incidentId} (${s.playbook}), ${left} — expires ${new Date(expiresMs).toLocaleTimeString()}` +
      `${others > 0 ? `; +${otherText}` : ''}. Click to show it.`;
    // Every visible fact in words, the time left by the minute (a label that changes every second would be re-read).
    this.item.accessibilityInformation = {
      label: `Break Glass session ${s.incidentId} on ${s.roleName}, ${warning ? 'warning: expires soon, ' : ''}${timeLeftSpoken(expiresMs, now)}` +
        `${others > 0 ? `, +${otherText}` : ''}`,
      role: 'button',
    };
    this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    this.timer ??= setInterval(() => this.update(), 1000);
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
