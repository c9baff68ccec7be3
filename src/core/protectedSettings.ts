// Settings a repository must not control. A workspace's .vscode/settings.json (or a .code-workspace file) is part of
// the repository, i.e. untrusted input: a setting that decides where credentials go, who the requester is, what runs
// on input or whether a revocation reaches AWS is read ONLY from the user's (or remote machine's) settings and the
// default, never from a workspace or folder — even in a trusted workspace.
//
// package.json declares each one with this `scope` and lists it in capabilities.untrustedWorkspaces
// .restrictedConfigurations (a unit test keeps the two in step); src/views/settings.ts enforces it at read time.

export type ProtectedScope = 'machine' | 'application';

export interface ProtectedSetting {
  /** Key under `breakglass.`. */
  key: string;
  /** `machine`: user or remote-machine settings (paths, profiles, endpoints of that machine); `application`: user only. */
  scope: ProtectedScope;
  /** What a repository could do with it. */
  why: string;
}

export const PROTECTED_SETTINGS: readonly ProtectedSetting[] = [
  { key: 'endpointUrl', scope: 'machine', why: 'decides where the signed AssumeRole request (with the MFA code) goes and whose credentials come back' },
  { key: 'sourceProfile', scope: 'machine', why: 'decides which base credentials sign the requests' },
  { key: 'region', scope: 'machine', why: 'decides which STS endpoint receives the request and the AWS_REGION of session terminals' },
  { key: 'requester', scope: 'application', why: 'is the identity CloudTrail records (SourceIdentity and the Requester tag)' },
  { key: 'incidentPattern', scope: 'application', why: 'is a regular expression run on every keystroke of the incident box' },
  { key: 'terminal.credentialDelivery', scope: 'machine', why: 'decides how session credentials reach terminals' },
  { key: 'revokeInAws', scope: 'application', why: 'decides whether Revoke Session also revokes on AWS' },
  { key: 'auditLogPath', scope: 'machine', why: 'decides where the audit trail is written' },
  { key: 'audit.cloudWatchLogGroup', scope: 'machine', why: 'decides where every audit record is shipped' },
  { key: 'console.signinEndpoint', scope: 'machine', why: 'receives the session credentials to exchange for a console sign-in token' },
];

export const PROTECTED_KEYS: ReadonlySet<string> = new Set(PROTECTED_SETTINGS.map((s) => s.key));

/** Where a value was found that the reader ignored. */
export type IgnoredOrigin = 'workspace' | 'workspaceFolder';

export interface IgnoredSetting {
  key: string;
  origin: IgnoredOrigin;
  /** The file it came from, when known. */
  file?: string;
}

/** One log line naming every ignored setting and where it came from, and what to do instead. */
export function describeIgnored(ignored: readonly IgnoredSetting[]): string {
  const parts = ignored.map((i) => `breakglass.${i.key} (${i.file ?? (i.origin === 'workspace' ? 'workspace settings' : 'folder settings')})`);
  return `Ignored workspace values of ${parts.join(', ')}: a repository must not decide where credentials go, who the requester is, `
    + 'what runs on input or how sessions are revoked. Your user settings (or the default) apply; set them there if you meant to.';
}

/** JSON with comments and trailing commas (settings.json, .code-workspace) → plain JSON text. */
export function stripJsonc(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] !== '}' && text[j] !== ']') out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * The protected keys a settings file sets: `.vscode/settings.json` (keys at the top level), or a `.code-workspace`
 * file (keys under "settings"). Both the flat form ("breakglass.endpointUrl") and the nested one ("breakglass": {…})
 * count. A file that does not parse is searched textually, so a broken file still gets reported.
 */
export function protectedKeysIn(text: string, kind: 'settings' | 'workspaceFile'): string[] {
  const plain = stripJsonc(text);
  let obj: unknown;
  try {
    obj = JSON.parse(plain);
  } catch {
    return PROTECTED_SETTINGS.map((s) => s.key).filter((k) => plain.includes(`"breakglass.${k}"`));
  }
  const settings = (kind === 'workspaceFile' ? (obj as { settings?: unknown } | null)?.settings : obj) as Record<string, unknown> | undefined;
  if (!settings || typeof settings !== 'object') return [];
  const nested = settings.breakglass && typeof settings.breakglass === 'object' ? settings.breakglass as Record<string, unknown> : {};
  return PROTECTED_SETTINGS.map((s) => s.key).filter((k) => Object.hasOwn(settings, `breakglass.${k}`) || Object.hasOwn(nested, k)
    || (k.includes('.') && (nested[k.split('.')[0]] as Record<string, unknown> | undefined)?.[k.split('.')[1]] !== undefined));
}
