// Debugging with a session: a launch configuration names it — `"breakglass": { "incident": "INC-2024-001" }` (with
// "role" when the incident has several sessions) or `"breakglass": true` (pick) — and this provider injects the
// session's credentials into the debuggee's `env` at launch, for any debug type that takes `env`. It runs after
// variable substitution, on the in-memory configuration only: nothing reaches launch.json, and no credential is
// printed to the debug console. A session that is not live stops the launch with a clear message and an Elevate action.
import * as vscode from 'vscode';
import { sessionAuditFields } from '../core/session/flow';
import type { SessionStore } from '../core/session/store';
import type { AuditLog } from '../core/audit/log';
import type { Logger } from '../core/log';
import type { SessionTerminals } from './terminals';
import { announce, isSessionRef, notLive, resolveSessionRef, sessionEnvironment } from './sessionEnv';

/** Debug types whose `env` accepts null to REMOVE a variable (js-debug); others get '' instead. */
const NULL_REMOVES = new Set(['node', 'pwa-node', 'node-terminal', 'pwa-extensionHost', 'extensionHost', 'pwa-chrome', 'pwa-msedge']);

export class SessionDebugProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly sessions: SessionStore, private readonly terminals: SessionTerminals, private readonly audit: () => AuditLog, private readonly log: Logger) {}

  static register(...args: ConstructorParameters<typeof SessionDebugProvider>): vscode.Disposable {
    return vscode.debug.registerDebugConfigurationProvider('*', new SessionDebugProvider(...args));
  }

  async resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    const ref: unknown = config.breakglass;
    if (ref === undefined || ref === false) return config;
    const what = `the debug session "${config.name}"`;
    if (!isSessionRef(ref)) {
      void vscode.window.showErrorMessage(`Break Glass: ${what} was not started — "breakglass" must be true or { "incident": "INC-…" } (optionally "role").`);
      return undefined;
    }
    const { session, why } = await resolveSessionRef(this.sessions, ref, what);
    if (!session) {
      notLive(why ?? 'no live session', ref, what);
      return undefined; // undefined: the launch is aborted silently (null would open launch.json)
    }
    const env = await sessionEnvironment(this.sessions, this.terminals, session);
    const removes = NULL_REMOVES.has(config.type);
    const injected: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(env)) injected[k] = v === null ? (removes ? null : '') : v;
    const { breakglass: _ref, ...rest } = config;
    await this.audit().append({ event: 'terminal_opened', ...sessionAuditFields(session), details: { delivery: 'debug', debugType: String(config.type) } })
      .catch((e: unknown) => this.log.error(`audit log write failed: ${(e as Error).message}`));
    announce(session, what);
    this.log.info(`debug session "${config.name}" (${config.type}) uses session ${session.id} (${session.incidentId})`);
    return { ...rest, type: config.type, name: config.name, request: config.request, env: { ...(config.env as Record<string, string | null> | undefined), ...injected } };
  }
}
