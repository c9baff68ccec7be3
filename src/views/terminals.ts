// Session terminals: each live session gets its own integrated terminals whose environment carries the session's
// credentials (or, with localEndpoint delivery, a loopback URL and bearer token to fetch them). Credentials go in
// through TerminalOptions.env only — never sendText, never shell arguments — and AWS_PROFILE & co. are removed so a
// profile cannot silently override them. Terminals close when their session expires or is revoked (setting).
import * as vscode from 'vscode';
import { CredentialServer, followReElevations } from '../core/session/credentialServer';
import type { SessionStore } from '../core/session/store';
import { terminalEnvironment } from '../core/session/terminal';
import type { Session } from '../core/session/types';
import type { Logger } from '../core/log';
import { readSettings } from './settings';

export function terminalName(s: Session): string {
  const until = new Date(s.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `${s.incidentId} · ${s.roleName} · until ${until}`;
}

export class SessionTerminals implements vscode.Disposable {
  private readonly bySession = new Map<string, Set<vscode.Terminal>>();
  private server: Promise<CredentialServer> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Terminals that fetch credentials from the loopback endpoint: they follow a re-elevation of their session. */
  private readonly viaEndpoint = new WeakSet<vscode.Terminal>();

  constructor(private readonly sessions: SessionStore, private readonly log: Logger) {
    const sub = sessions.onDidChange((e) => {
      if (e.kind === 'expired' || e.kind === 'revoked' || e.kind === 'removed') this.end(e.session, e.kind);
    });
    this.disposables.push(
      { dispose: () => sub.dispose() },
      vscode.window.onDidCloseTerminal((t) => {
        for (const set of this.bySession.values()) set.delete(t);
      }),
    );
  }

  /** Terminals currently open for a session. */
  terminals(sessionId: string): vscode.Terminal[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  /** Opens a new terminal holding the session's credentials. Throws with a readable message if it cannot. */
  async open(sessionId: string, opts: { show?: boolean } = {}): Promise<vscode.Terminal> {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error('That session is no longer known; elevate again.');
    if (session.state === 'expired' || session.state === 'revoked') {
      throw new Error(`Session ${session.incidentId} on ${session.roleName} has ${session.state === 'expired' ? 'expired' : 'been revoked'}; elevate again.`);
    }
    const delivery = readSettings().credentialDelivery;
    let env;
    if (delivery === 'localEndpoint') {
      const server = await this.credentialServer();
      env = terminalEnvironment(session, undefined, session.region, server.register(session.id));
    } else {
      env = terminalEnvironment(session, this.sessions.credentials(session.id), session.region);
    }
    const expires = new Date(session.expiresAt);
    const terminal = vscode.window.createTerminal({
      name: terminalName(session),
      env,
      isTransient: true,
      iconPath: new vscode.ThemeIcon('shield'),
      color: new vscode.ThemeColor('terminal.ansiYellow'),
      message: `\x1b[1mBreak Glass\x1b[0m ${session.incidentId}: ${session.roleArn} (playbook ${session.playbook}), ` +
        `credentials valid until ${expires.toLocaleTimeString()} — ${delivery === 'localEndpoint' ? 'served by a local endpoint' : 'in this terminal\'s environment'}.`,
    });
    let set = this.bySession.get(session.id);
    if (!set) this.bySession.set(session.id, (set = new Set()));
    set.add(terminal);
    if (delivery === 'localEndpoint') this.viaEndpoint.add(terminal);
    if (opts.show !== false) terminal.show();
    this.log.info(`terminal opened for session ${session.id} (${session.incidentId}, ${delivery})`);
    return terminal;
  }

  /** The loopback credential endpoint (started on first use); it follows re-elevations, and so do its terminals. */
  credentialServer(): Promise<CredentialServer> {
    this.server ??= CredentialServer.start(this.sessions, { log: this.log }).then((server) => {
      const sub = followReElevations(server, this.sessions, (from, to) => this.moveEndpointTerminals(from, to));
      this.disposables.push({ dispose: () => sub.dispose() });
      return server;
    });
    return this.server;
  }

  private moveEndpointTerminals(from: string, to: string): void {
    const moving = this.terminals(from).filter((t) => this.viaEndpoint.has(t));
    if (!moving.length) return;
    let set = this.bySession.get(to);
    if (!set) this.bySession.set(to, (set = new Set()));
    for (const t of moving) {
      this.bySession.get(from)?.delete(t);
      set.add(t);
    }
    this.log.info(`${moving.length} terminal(s) of session ${from} now use its re-elevation ${to}`);
  }

  private end(session: Session, why: 'expired' | 'revoked' | 'removed'): void {
    void this.server?.then((s) => s.unregister(session.id));
    const open = this.terminals(session.id);
    if (!open.length) return;
    if (readSettings().closeTerminalsOnExpiry || why !== 'expired') {
      for (const t of open) t.dispose();
      this.bySession.delete(session.id);
      this.log.info(`closed ${open.length} terminal(s) of ${why} session ${session.id}`);
    } else {
      this.log.warn(`session ${session.id} expired; ${open.length} terminal(s) left open hold expired credentials`);
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
    void this.server?.then((s) => s.close());
  }
}
