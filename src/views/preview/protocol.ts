// The one message protocol of the "Break Glass: Policy preview" webview, imported by the host (panel.ts) and by the
// page (media/preview/main.ts). It must stay free of `vscode` and Node imports: the page bundle is a browser IIFE.
// Type imports are erased at build time; the only runtime code here is plain guards.
import type { ActionView, PreviewModel, SessionView } from '../../core/preview/types';

export type { PreviewModel, SessionView };

/** The webview panel's viewType (also `onWebviewPanel:<viewType>` in package.json's activationEvents). */
export const PREVIEW_VIEW_TYPE = 'breakglass.preview';

/** What the panel shows. Serialisable: it is kept in the page's state so a reload can restore the panel. */
export type PreviewTarget =
  | {
    kind: 'playbook';
    /** Display name of the role (a configured role name or a role template name). */
    roleName: string;
    /** The built-in role template whose policies model the role. */
    roleTemplate: string;
    /** A built-in playbook (session-policy template) name, or a label for a custom policy file. */
    playbook: string;
    /** A custom session policy file (URI string), when not a built-in playbook. */
    policyFile?: string;
  }
  | { kind: 'session'; sessionId: string };

// ---------------------------------------------------------------------------------------------------------------
// Host → page

export interface StateMessage {
  type: 'state';
  target: PreviewTarget;
  /** Null while there is nothing to show (error set instead). */
  model: PreviewModel | null;
  /** A readable reason the model could not be built. */
  error?: string;
  sessions: SessionView[];
  /** Milliseconds the host spent building the model (shown in the page footer). */
  modelMs?: number;
  /** The model's per-service action lists are left out; the page asks for them per service (serviceLists). */
  listsOmitted?: boolean;
}

export interface SessionsMessage {
  type: 'sessions';
  sessions: SessionView[];
}

/** One service's action lists, answering a ServiceListsRequest (the state's model leaves them out). */
export interface ServiceListsMessage {
  type: 'serviceLists';
  service: string;
  kept: ActionView[];
  removed: ActionView[];
}

export type HostMessage = StateMessage | SessionsMessage | ServiceListsMessage;

// ---------------------------------------------------------------------------------------------------------------
// Page → host

/** The page has loaded its script and wants the state (the host posts nothing before this). */
export interface ReadyMessage {
  type: 'ready';
}

/** A session action button; the host runs the matching breakglass.* command with the session id. */
export interface SessionActionMessage {
  type: 'openTerminal' | 'revoke' | 'reElevate' | 'previewSession' | 'openConsole';
  sessionId: string;
}

/** The page finished rendering a state (for measurements and the log). */
export interface RenderedMessage {
  type: 'rendered';
  ms: number;
  services: number;
  diffRows: number;
}

/** The page expanded a service whose lists it does not have yet. */
export interface ServiceListsRequest {
  type: 'serviceLists';
  service: string;
}

export type PageMessage = ReadyMessage | SessionActionMessage | RenderedMessage | ServiceListsRequest;

export const SESSION_ACTIONS: ReadonlyArray<SessionActionMessage['type']> = ['openTerminal', 'revoke', 'reElevate', 'previewSession', 'openConsole'];

/** Validates a message from the page (the page is sandboxed, but the host treats its input as untrusted anyway). */
export function isPageMessage(m: unknown): m is PageMessage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
      return true;
    case 'rendered':
      return typeof o.ms === 'number' && typeof o.services === 'number' && typeof o.diffRows === 'number';
    case 'serviceLists':
      return typeof o.service === 'string' && o.service.length > 0 && o.service.length <= 100;
    default:
      return SESSION_ACTIONS.includes(o.type as SessionActionMessage['type']) && typeof o.sessionId === 'string'
        && o.sessionId.length > 0 && o.sessionId.length <= 200;
  }
}

/** Validates a message from the host. */
export function isHostMessage(m: unknown): m is HostMessage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  return (o.type === 'state' && typeof o.target === 'object' && Array.isArray(o.sessions))
    || (o.type === 'sessions' && Array.isArray(o.sessions))
    || (o.type === 'serviceLists' && typeof o.service === 'string' && Array.isArray(o.kept) && Array.isArray(o.removed));
}

/** What the page keeps with vscode.setState (small: the model is re-sent by the host after `ready`). */
export interface PageState {
  target?: PreviewTarget;
  /** Services whose <details> are open. */
  open?: string[];
  filter?: string;
  scrollY?: number;
}

/** Host-side mapping of session actions to the commands the lead implements. */
export const SESSION_ACTION_COMMANDS = {
  openTerminal: 'breakglass.openTerminal',
  revoke: 'breakglass.revokeSession',
  reElevate: 'breakglass.reElevate',
  // The host signs in and opens the browser; the sign-in URL never reaches the page.
  openConsole: 'breakglass.openConsole',
} as const;
