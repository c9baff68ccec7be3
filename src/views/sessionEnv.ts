// The environment a debuggee or a task gets for a named session: the same map as a session terminal's
// (src/core/session/terminal.ts), built at launch, never written anywhere. Shared by debug.ts and tasks.ts.
import * as vscode from 'vscode';
import { terminalEnvironment, type TerminalEnv } from '../core/session/terminal';
import type { Session } from '../core/session/types';
import type { SessionStore } from '../core/session/store';
import type { SessionTerminals } from './terminals';
import { readSettings } from './settings';

/** `"breakglass": { "incident": "INC-…", "role"?: "NAME" }`, `{ "session": "<id>" }`, or `true` (pick). */
export type SessionRef = true | { incident?: string; role?: string; session?: string };

export function isSessionRef(v: unknown): v is SessionRef {
  return v === true || (typeof v === 'object' && v !== null && ['incident', 'role', 'session'].some((k) => typeof (v as Record<string, unknown>)[k] === 'string'));
}

/** The live session a reference names; asks when it is `true` or matches several. undefined: none (or cancelled). */
export async function resolveSessionRef(sessions: SessionStore, ref: SessionRef, what: string): Promise<{ session?: Session; why?: string }> {
  // launch.json and tasks.json are the repository's: in a workspace you have not trusted they never get credentials.
  if (!vscode.workspace.isTrusted) return { why: 'this workspace is not trusted, and its launch or task configurations never receive credentials' };
  const live = sessions.live();
  let found = live;
  if (ref !== true) {
    if (ref.session) found = found.filter((s) => s.id === ref.session);
    if (ref.incident) found = found.filter((s) => s.incidentId === ref.incident);
    if (ref.role) found = found.filter((s) => s.roleName === ref.role || s.roleArn === ref.role);
  }
  const named = ref === true ? 'any incident' : [ref.incident, ref.role, ref.session].filter(Boolean).join(' / ');
  if (!found.length) return { why: `no live break-glass session for ${named}` };
  if (found.length === 1) return { session: found[0] };
  const pick = await vscode.window.showQuickPick(found.map((s) => ({ label: `${s.incidentId} · ${s.roleName}`, description: `until ${new Date(s.expiresAt).toLocaleTimeString()}`, id: s.id })),
    { placeHolder: `Which session's credentials for ${what}?` });
  return pick ? { session: found.find((s) => s.id === pick.id) } : { why: 'no session was chosen' };
}

/** The session's environment per the credentialDelivery setting (loopback endpoint: no secret in it at all). */
export async function sessionEnvironment(sessions: SessionStore, terminals: SessionTerminals, session: Session): Promise<TerminalEnv> {
  if (readSettings().credentialDelivery === 'localEndpoint') {
    const server = await terminals.credentialServer();
    return terminalEnvironment(session, undefined, session.region, server.register(session.id));
  }
  return terminalEnvironment(session, sessions.credentials(session.id), session.region);
}

/** Says, once per launch, that a configuration received a session's credentials (it is the repository's file). */
export function announce(session: Session, what: string): void {
  void vscode.window.showInformationMessage(`Break Glass: ${what} runs with ${session.incidentId}'s credentials (${session.roleName}) until ${new Date(session.expiresAt).toLocaleTimeString()}.`);
}

/** Tells the responder the launch stopped, with an Elevate action for the incident it named. */
export function notLive(why: string, ref: SessionRef, what: string): void {
  void vscode.window.showErrorMessage(`Break Glass: ${what} was not started — ${why}. Elevate, then start it again.`, 'Elevate…').then((pick) => {
    if (pick) void vscode.commands.executeCommand('breakglass.elevate', ref !== true && ref.incident ? { incidentId: ref.incident } : undefined);
  });
}
