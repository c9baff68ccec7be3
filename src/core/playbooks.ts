// Playbooks: what scopes an elevation. ONE typed reference, one catalog, one resolver and one display name, used by the
// extension and the CLI alike, so the same playbook is recorded the same way in the audit log (and counted once in the
// audit summary) whichever front end elevated.
//
// A playbook is one of:
//   builtin    one of the four SEC10-BP05 session-policy templates           display name: `containment_actions`
//   workspace  a file matching `.breakglass/playbooks/*.json` in a folder    display name: `workspace:isolate`
//   file       any other JSON session-policy file                           display name: `file:isolate`
//   managed    a managed policy ARN (CLI)                                    display name: `managed:ReadOnlyAccess`
//   full       no session policy: the role's full permissions               display name: `role-full-permissions`
// The display name is what goes to the audit log and the SessionPolicyType session tag; it never contains a path.
// A playbook can only narrow what the role allows (a session policy): it never decides where credentials go.
import * as path from 'path';
import { SESSION_POLICY_TEMPLATES } from './templates';
import { PlaybookFormatError, readPlaybook } from './playbookFormat';
import type { PolicyDocument } from './policy/types';

export type PlaybookRef =
  | { kind: 'builtin'; name: string }
  | { kind: 'workspace'; file: string }
  | { kind: 'file'; file: string }
  | { kind: 'managed'; arn: string }
  | { kind: 'full' };

/** Workspace playbooks, relative to a workspace folder (VS Code findFiles pattern). */
export const PLAYBOOK_FILE_GLOB = '.breakglass/playbooks/*.json';
/** The same files anywhere (document selectors, file watchers, jsonValidation). */
export const PLAYBOOK_FILE_GLOB_ANYWHERE = `**/${PLAYBOOK_FILE_GLOB}`;
/** The argument and display name of "no session policy". */
export const FULL_PERMISSIONS = 'role-full-permissions';
/** Older spelling accepted in arguments (the extension's `none`). */
const FULL_PERMISSIONS_ALIASES = new Set([FULL_PERMISSIONS, 'none']);

/** Whether a path is a workspace playbook: `<folder>/.breakglass/playbooks/<name>.json`. */
function isWorkspacePlaybookPath(file: string): boolean {
  const parts = path.resolve(file).split(/[\\/]+/);
  const n = parts.length;
  return n >= 3 && parts[n - 3] === '.breakglass' && parts[n - 2] === 'playbooks' && /\.json$/i.test(parts[n - 1]);
}

/**
 * Parses what a responder or a command argument names: a built-in name, `role-full-permissions` (or `none`), a managed
 * policy ARN, or a file path (optionally `file:` prefixed, relative to `cwd`). Files under `.breakglass/playbooks/` are
 * workspace playbooks.
 */
export function parsePlaybookArg(value: string, cwd: string = process.cwd()): PlaybookRef {
  const v = value.trim();
  if (FULL_PERMISSIONS_ALIASES.has(v)) return { kind: 'full' };
  if (SESSION_POLICY_TEMPLATES[v]) return { kind: 'builtin', name: v };
  if (v.startsWith('arn:')) return { kind: 'managed', arn: v };
  const raw = v.startsWith('file:') ? v.slice(5) : v;
  const file = path.resolve(cwd, raw);
  return isWorkspacePlaybookPath(file) ? { kind: 'workspace', file } : { kind: 'file', file };
}

/** The inverse of parsePlaybookArg: an argument string that names the same playbook (re-elevate, Try Again). */
export function playbookArg(ref: PlaybookRef): string {
  switch (ref.kind) {
    case 'builtin': return ref.name;
    case 'full': return FULL_PERMISSIONS;
    case 'managed': return ref.arn;
    default: return `file:${ref.file}`;
  }
}

/** The name recorded in the audit log and the SessionPolicyType tag: the same from every front end, never a path. */
export function playbookDisplayName(ref: PlaybookRef): string {
  switch (ref.kind) {
    case 'builtin': return ref.name;
    case 'full': return FULL_PERMISSIONS;
    case 'managed': return `managed:${ref.arn.split('/').pop() ?? ref.arn}`;
    case 'workspace': return `workspace:${path.basename(ref.file).replace(/\.json$/i, '')}`;
    case 'file': return `file:${path.basename(ref.file).replace(/\.json$/i, '')}`;
  }
}

/** One entry of the playbook catalog, for a picker. */
export interface PlaybookEntry {
  ref: PlaybookRef;
  /** The display name. */
  name: string;
  group: 'Built-in playbooks' | 'Workspace playbooks' | 'Other';
  description: string;
  detail?: string;
  /** Seconds: the longest session the playbook should get, when it says. */
  maxDuration?: number;
  /** Ask the responder to confirm (the role's full permissions). */
  warn?: boolean;
}

/**
 * The catalog a responder picks from: the built-ins, the workspace playbook files given (found with
 * PLAYBOOK_FILE_GLOB), then the role's full permissions. A custom file is picked with a file dialog and parsed with
 * parsePlaybookArg. `relative` turns a workspace file into the path shown to the responder.
 */
export function playbookCatalog(workspaceFiles: readonly string[] = [], relative: (file: string) => string = (f) => f): PlaybookEntry[] {
  const out: PlaybookEntry[] = Object.values(SESSION_POLICY_TEMPLATES).map((t) => ({
    ref: { kind: 'builtin', name: t.name }, name: t.name, group: 'Built-in playbooks' as const,
    description: `max ${t.maxDuration / 3600} h`, detail: t.description, maxDuration: t.maxDuration,
  }));
  for (const file of [...workspaceFiles].sort()) {
    const ref: PlaybookRef = { kind: 'workspace', file };
    out.push({ ref, name: playbookDisplayName(ref), group: 'Workspace playbooks', description: relative(file) });
  }
  out.push({
    ref: { kind: 'full' }, name: FULL_PERMISSIONS, group: 'Other', warn: true,
    description: 'no session policy', detail: 'Everything the role allows. Use only when no playbook fits.',
  });
  return out;
}

/** A playbook ready for the pre-flight. */
export interface ResolvedPlaybook {
  ref: PlaybookRef;
  /** The display name (audit log, session tag). */
  name: string;
  policy?: PolicyDocument;
  /** The policy file's text as read (the preview shows it). */
  policyText?: string;
  policyArns: string[];
  /** Seconds: a built-in's, or the playbook file's maxDurationSeconds. */
  maxDuration?: number;
  /** ARN patterns of the roles a playbook file may be used with (its "roles"); absent = any role. */
  roles?: string[];
}

/** A built-in playbook, resolved (no file to read). Throws PlaybookError for an unknown name. */
export function builtinPlaybook(name: string): ResolvedPlaybook {
  const t = SESSION_POLICY_TEMPLATES[name];
  if (!t) throw new PlaybookError(`Unknown playbook "${name}"; use one of ${Object.keys(SESSION_POLICY_TEMPLATES).join(', ')}, a policy file or ${FULL_PERMISSIONS}.`);
  return { ref: { kind: 'builtin', name }, name, policy: t.policy, policyArns: [], maxDuration: t.maxDuration };
}

/** Reads a playbook file's text: the editor's buffer in the extension, the file system in the CLI. */
export type ReadPlaybookFile = (file: string) => Promise<string>;

/** An actionable reason a playbook cannot be used (unknown name, unreadable or invalid file). */
export class PlaybookError extends Error {}

/** Resolves a reference to its session policy. Throws PlaybookError with an actionable message. */
export async function resolvePlaybook(ref: PlaybookRef, read: ReadPlaybookFile): Promise<ResolvedPlaybook> {
  const name = playbookDisplayName(ref);
  switch (ref.kind) {
    case 'builtin': {
      const t = SESSION_POLICY_TEMPLATES[ref.name];
      if (!t) throw new PlaybookError(`Unknown playbook "${ref.name}"; use one of ${Object.keys(SESSION_POLICY_TEMPLATES).join(', ')}, a policy file or ${FULL_PERMISSIONS}.`);
      return { ref, name, policy: t.policy, policyArns: [], maxDuration: t.maxDuration };
    }
    case 'full':
      return { ref, name, policyArns: [] };
    case 'managed':
      return { ref, name, policyArns: [ref.arn] };
    default: {
      let text: string;
      try {
        text = await read(ref.file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new PlaybookError(`Cannot read the playbook file ${ref.file}${code ? ` (${code})` : ''}; check the path, or use one of ${Object.keys(SESSION_POLICY_TEMPLATES).join(', ')}.`);
      }
      // Either playbook shape (a bare session policy, or {name, sessionPolicy, policyArns, maxDurationSeconds, roles, …}),
      // comments allowed: the same reader as the editor's diagnostics and preview.
      let def: ReturnType<typeof readPlaybook>;
      try {
        def = readPlaybook(text, path.basename(ref.file));
      } catch (e) {
        if (e instanceof PlaybookFormatError) throw new PlaybookError(e.message);
        throw e;
      }
      return {
        ref, name, policy: def.policy?.document, policyText: text, policyArns: def.playbook.policyArns,
        ...(def.playbook.maxDurationSeconds !== undefined ? { maxDuration: def.playbook.maxDurationSeconds } : {}),
        ...(def.playbook.roles.length ? { roles: def.playbook.roles } : {}),
      };
    }
  }
}
