// The host side of the "Break Glass: Policy preview" webview: one panel, reused (createOrShow), showing a role +
// playbook or a live session. The page (media/preview/main.ts) posts `ready` once its script runs; only then does the
// host post the state, and it posts it again after every reload of the page (the panel does not retain its context
// while hidden; the page keeps its small UI state with setState). A WebviewPanelSerializer brings the panel back after
// a window reload from the target saved in that state.
//
// Security: CSP `default-src 'none'`, scripts only from dist/webview with a per-load nonce, styles only from media/,
// localResourceRoots limited to those two folders, no command URIs. The page only ever receives the PreviewModel (plain
// policy data) and SessionView metadata built field by field: never a credential.
//
// Accessibility: #app is not a live region (a re-render would queue the whole page for a screen reader); #announcer,
// outside it, is the page's one small polite live region (see media/preview/main.ts).
import { randomBytes } from 'crypto';
import * as os from 'os';
import * as vscode from 'vscode';
import { previewSessionContext } from '../../core/preview/context';
import { buildPreview, sessionsModel, type PreviewBuild, type PreviewInput } from '../../core/preview/model';
import type { PreviewModel } from '../../core/preview/types';
import { readSettings } from '../settings';
import { previewInputFor } from '../../core/preview/input';
import type { SessionStore } from '../../core/session/store';
import type { Session } from '../../core/session/types';
import type { Logger } from '../../core/log';
import type { WorkspaceConfigService } from '../workspaceConfig';
import {
  PREVIEW_VIEW_TYPE, SESSION_ACTION_COMMANDS, isPageMessage, type HostMessage, type PageMessage, type PageState,
  type PreviewTarget, type RenderedMessage, type ServiceListsMessage, type StateMessage,
} from './protocol';

export interface PreviewDeps {
  extensionUri: vscode.Uri;
  log: Logger;
  sessions: SessionStore;
  configs: WorkspaceConfigService;
}

/** The target shown when a panel is restored without a saved one: the offline example from the README. */
/** Quiet time after a keystroke before the live preview rebuilds. */
const LIVE_DEBOUNCE_MS = 200;

const DEFAULT_TARGET: PreviewTarget = { kind: 'playbook', roleName: 'incident_responder', roleTemplate: 'incident_responder', playbook: 'containment_actions' };

export class PreviewPanel implements vscode.Disposable {
  private static current: PreviewPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly postEmitter = new vscode.EventEmitter<HostMessage>();
  private readonly renderEmitter = new vscode.EventEmitter<RenderedMessage>();
  /** Every message posted to the page (tests and diagnostics observe it). */
  readonly onDidPost = this.postEmitter.event;
  /** The page reported a finished render (with its time). */
  readonly onDidRender = this.renderEmitter.event;
  /** Whether the page's script has said `ready` since the HTML was (re)loaded. */
  private ready = false;
  private targetValue: PreviewTarget;
  private liveTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last built state, reused when the page reloads after being hidden. */
  private state: Promise<StateMessage> | undefined;
  /** Per built state, its per-service lists on demand (the state's model carries counts only). */
  private readonly lists = new WeakMap<StateMessage, PreviewBuild['lists']>();
  /** The last render the page reported, and the last state posted to it (tests and diagnostics). */
  lastRendered: RenderedMessage | undefined;
  lastPostedState: StateMessage | undefined;

  /** The open panel, if any. */
  static get instance(): PreviewPanel | undefined {
    return PreviewPanel.current;
  }

  /** Reveals the panel (creating it if needed) and shows `target` in it. */
  static createOrShow(deps: PreviewDeps, target: PreviewTarget): PreviewPanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (PreviewPanel.current) {
      PreviewPanel.current.panel.reveal(undefined, false);
      PreviewPanel.current.show(target);
      return PreviewPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(PREVIEW_VIEW_TYPE, 'Policy preview', { viewColumn: column, preserveFocus: false },
      { ...webviewOptions(deps.extensionUri), retainContextWhenHidden: false, enableFindWidget: true });
    return new PreviewPanel(panel, deps, target);
  }

  /** Registers the serializer that restores the panel after a window reload; disposing it also closes the panel. */
  static registerSerializer(deps: PreviewDeps): vscode.Disposable {
    const serializer = vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const target = isTarget((state as PageState | undefined)?.target) ? (state as PageState).target as PreviewTarget : DEFAULT_TARGET;
        deps.log.info(`policy preview restored (${describeTarget(target)})`);
        PreviewPanel.current?.panel.dispose();
        new PreviewPanel(panel, deps, target);
      },
    });
    return vscode.Disposable.from(serializer, { dispose: () => PreviewPanel.current?.dispose() });
  }

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly deps: PreviewDeps, target: PreviewTarget) {
    PreviewPanel.current = this;
    this.targetValue = target;
    panel.webview.options = webviewOptions(deps.extensionUri);
    this.disposables.push(this.postEmitter, this.renderEmitter,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidChangeViewState(() => {
        // A hidden panel's page is destroyed (retainContextWhenHidden: false); it says `ready` again when shown.
        if (!panel.visible) this.ready = false;
      }),
      deps.sessions.onDidChange(() => this.postSessions()),
      vscode.workspace.onDidChangeTextDocument((e) => this.onDocumentChanged(e.document)));
    this.show(target);
  }

  get target(): PreviewTarget {
    return this.targetValue;
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  /** Brings the panel to the front without changing what it shows. */
  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Shows a new target: rebuilds the model and (re)loads the page, which then asks for the state. */
  show(target: PreviewTarget): void {
    this.targetValue = target;
    this.panel.title = `Policy preview: ${target.kind === 'session' ? sessionTitle(this.deps.sessions.get(target.sessionId)) : `${target.roleName} · ${target.playbook}`}`;
    this.state = this.buildState(target);
    if (this.ready) void this.postState();
    else this.panel.webview.html = this.html();
  }

  /**
   * Live preview: while the policy file shown is edited, the picture is rebuilt from the unsaved text, debounced so a
   * burst of keystrokes costs one rebuild (the full-catalog analysis takes a few milliseconds once data is loaded).
   */
  private onDocumentChanged(doc: vscode.TextDocument): void {
    const t = this.targetValue;
    if (t.kind !== 'playbook' || !t.policyFile || doc.uri.toString() !== vscode.Uri.parse(t.policyFile).toString()) return;
    if (this.liveTimer) clearTimeout(this.liveTimer);
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      if (this.targetValue === t) this.show(t);
    }, LIVE_DEBOUNCE_MS);
  }

  /** The state message for the current target, as the page will get it (tests compare it with the core's numbers). */
  currentState(): Promise<StateMessage> {
    this.state ??= this.buildState(this.targetValue);
    return this.state;
  }

  private async buildState(target: PreviewTarget): Promise<StateMessage> {
    const t0 = performance.now();
    let model: PreviewModel | null = null;
    let lists: PreviewBuild['lists'] | undefined;
    let error: string | undefined;
    try {
      const input = await this.inputFor(target);
      const session = await this.sessionContextFor(target);
      const built = buildPreview({ ...input, sessionContext: session?.context, notes: [...(input.notes ?? []), ...(session?.notes ?? [])] });
      model = built.model;
      lists = built.lists;
    } catch (e) {
      error = (e as Error).message || String(e);
      this.deps.log.warn(`policy preview: ${describeTarget(target)}: ${error}`);
    }
    const modelMs = Math.round(performance.now() - t0);
    if (model) {
      this.deps.log.info(`policy preview: ${describeTarget(target)}: model built in ${modelMs} ms (${model.services.length} services)`);
    }
    // The model carries counts only; the page asks for a service's lists when it is expanded.
    const msg: StateMessage = { type: 'state', target, model, sessions: sessionsModel(this.deps.sessions.list()), modelMs, listsOmitted: true };
    if (error !== undefined) msg.error = error;
    if (lists) this.lists.set(msg, lists);
    return msg;
  }

  /**
   * The context the previewed session carries (principal, session tags, SourceIdentity, MFA, time, regions), so the
   * page can say which conditional actions are allowed or denied in this session and which depend on the request.
   */
  private async sessionContextFor(target: PreviewTarget): Promise<ReturnType<typeof previewSessionContext> | undefined> {
    const config = await this.deps.configs.get();
    const clock = { now: () => Date.now() };
    if (target.kind === 'session') {
      const session = this.deps.sessions.get(target.sessionId);
      return session && previewSessionContext({ target: { kind: 'session', session }, config, clock });
    }
    // As the elevation would tag it; os.userInfo() throws where the user has no passwd entry (then: not known).
    let requester: string | undefined = readSettings().requester;
    if (!requester) try { requester = os.userInfo().username; } catch { requester = undefined; }
    return previewSessionContext({ target: { kind: 'playbook', roleName: target.roleName, playbook: target.playbook }, config, requester, clock });
  }

  /** The policies for a target (assembled in core); files are read from the editor's buffer when open. */
  private inputFor(target: PreviewTarget): Promise<PreviewInput> {
    return previewInputFor(target, {
      readPolicyFile: async (ref) => {
        const folder = vscode.workspace.workspaceFolders?.[0];
        const uri = /^[a-z][\w+.-]*:/i.test(ref) && !/^[a-z]:[\\/]/i.test(ref) ? vscode.Uri.parse(ref)
          : folder && !ref.startsWith('/') ? vscode.Uri.joinPath(folder.uri, ref) : vscode.Uri.file(ref);
        // The editor's text when the file is open (unsaved edits included): the preview follows typing.
        const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        return { text, name: vscode.workspace.asRelativePath(uri) };
      },
      session: (id) => this.deps.sessions.get(id),
      role: async (arn) => (await this.deps.configs.get()).accounts.flatMap((a) => a.roles).find((r) => r.arn === arn),
    });
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isPageMessage(raw)) {
      this.deps.log.warn('policy preview: ignored an unexpected message from the page');
      return;
    }
    const m: PageMessage = raw;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.postState();
        return;
      case 'rendered':
        this.lastRendered = m;
        this.deps.log.info(`policy preview: page rendered in ${m.ms.toFixed(1)} ms (${m.services} services, ${m.diffRows} diff rows)`);
        this.renderEmitter.fire(m);
        return;
      case 'previewSession':
        this.show({ kind: 'session', sessionId: m.sessionId });
        return;
      case 'serviceLists': {
        const lists = await this.serviceLists(m.service);
        if (lists) this.post(lists);
        return;
      }
      default: {
        const command = SESSION_ACTION_COMMANDS[m.type];
        try {
          await vscode.commands.executeCommand(command, m.sessionId);
        } catch (e) {
          this.deps.log.error(`policy preview: ${command} failed for session ${m.sessionId}: ${(e as Error).message ?? e}`);
          void vscode.window.showWarningMessage(`Break Glass: ${command} failed. See the log for details.`);
        }
      }
    }
  }

  private async postState(): Promise<void> {
    const pending = this.currentState();
    const state = await pending;
    // A newer target was shown while this one was being built: its own postState sends it.
    if (pending !== this.state) return;
    // Sessions may have changed while the model was built or while the page was hidden: send the current list.
    // The model goes without its per-service action lists (the page asks for a service's when it is expanded): a
    // full-catalog diff is then tens of kilobytes instead of megabytes, which keeps live preview quick.
    this.post({ ...state, sessions: sessionsModel(this.deps.sessions.list()) });
  }

  /** One service's kept and removed lists for the current state, computed on demand (what the page asks for on expand). */
  async serviceLists(service: string): Promise<ServiceListsMessage | undefined> {
    const lists = this.lists.get(await this.currentState())?.(service);
    return lists && { type: 'serviceLists', service, ...lists };
  }

  private postSessions(): void {
    // A hidden page cannot receive messages; it gets the current list with the state after its next `ready`.
    if (this.ready) this.post({ type: 'sessions', sessions: sessionsModel(this.deps.sessions.list()) });
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
    if (message.type === 'state') this.lastPostedState = message;
    this.postEmitter.fire(message);
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(18).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webview', 'preview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'preview', 'preview.css'));
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${style}">
  <title>Policy preview</title>
</head>
<body>
  <main id="app" aria-busy="true"><p class="loading">Computing the policy preview…</p></main>
  <div id="announcer" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true"></div>
  <script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.liveTimer) clearTimeout(this.liveTimer);
    if (PreviewPanel.current === this) PreviewPanel.current = undefined;
    this.panel.dispose();
    vscode.Disposable.from(...this.disposables.splice(0)).dispose();
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
  };
}

function sessionTitle(s: Session | undefined): string {
  return s ? `${s.incidentId} · ${s.roleName}` : 'session';
}

function describeTarget(t: PreviewTarget): string {
  return t.kind === 'session' ? `session ${t.sessionId}` : `${t.roleName} (${t.roleTemplate}) with ${t.policyFile ? 'policy file ' : ''}${t.playbook}`;
}

function isTarget(t: unknown): t is PreviewTarget {
  if (typeof t !== 'object' || t === null) return false;
  const o = t as Record<string, unknown>;
  if (o.kind === 'session') return typeof o.sessionId === 'string';
  return o.kind === 'playbook' && typeof o.roleName === 'string' && typeof o.roleTemplate === 'string' && typeof o.playbook === 'string'
    && (o.policyFile === undefined || typeof o.policyFile === 'string');
}
