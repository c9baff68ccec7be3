// What the UI needs to know about an AWS profile before asking for an MFA code — which MFA device, which region, and
// whether the base credentials are themselves a role session (then AWS caps a break-glass session at 1 hour) — read
// with a small INI reader from ~/.aws/config and ~/.aws/credentials, honouring AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE, the same files the SDK reads. No AWS SDK import here: the extension reads profiles at
// activation without loading the SDK.
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface ProfileInfo {
  name: string;
  region?: string;
  mfaSerial?: string;
  roleArn?: string;
  sourceProfile?: string;
  credentialSource?: string;
  durationSeconds?: number;
  ssoStartUrl?: string;
  ssoSession?: string;
  ssoAccountId?: string;
  ssoRoleName?: string;
  credentialProcess?: string;
  /** aws_access_key_id in the credentials or config file. */
  hasStaticKeys: boolean;
  /** Static keys include aws_session_token: temporary credentials of unknown origin. */
  hasSessionToken: boolean;
  kind: 'static' | 'role' | 'sso' | 'process' | 'unknown';
  /**
   * Whether credentials from this profile are an IAM role session, so a break-glass AssumeRole is role chaining
   * (1 hour maximum). True for role_arn and SSO profiles; undefined when it cannot be known offline.
   */
  isRoleSession: boolean | undefined;
}

export type IniSections = Record<string, Record<string, string>>;

/**
 * A small INI reader for the AWS shared files: `[section]`, `key = value`, `#`/`;` comments, and the indented
 * sub-properties AWS uses (e.g. `s3 =\n  max_concurrent_requests = 20`), which are kept as `parent.child`.
 */
export function parseIni(text: string): IniSections {
  const out: IniSections = {};
  let section: Record<string, string> | undefined;
  let parent: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) continue;
    const header = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(raw);
    if (header) {
      const name = header[1].trim();
      section = out[name] ?? (out[name] = {});
      parent = undefined;
      continue;
    }
    if (!section) continue;
    const kv = /^(\s*)([^=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!kv) continue;
    const [, indent, key, value] = kv;
    if (indent && parent) section[`${parent}.${key}`] = value;
    else {
      section[key] = value;
      parent = value === '' ? key : undefined;
    }
  }
  return out;
}

/** Paths of the shared config and credentials files, honouring AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE. */
export function sharedFilePaths(env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string } {
  const home = env.HOME || env.USERPROFILE || os.homedir();
  const expand = (p: string) => (p.startsWith('~') ? path.join(home, p.slice(1)) : p);
  return {
    config: expand(env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config')),
    credentials: expand(env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials')),
  };
}

async function readOptional(file: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/** All profiles from both shared files, merged (credentials file values win, as in the SDK). */
async function readProfiles(env: NodeJS.ProcessEnv = process.env): Promise<Map<string, ProfileInfo>> {
  const files = sharedFilePaths(env);
  const [configText, credText] = await Promise.all([readOptional(files.config), readOptional(files.credentials)]);
  return profilesFromText(configText, credText);
}

/** Pure part of readProfiles, for tests. */
export function profilesFromText(configText: string, credentialsText: string): Map<string, ProfileInfo> {
  const merged = new Map<string, Record<string, string>>();
  for (const [section, values] of Object.entries(parseIni(configText))) {
    // In the config file, profiles are `[profile name]` except `[default]`; `[sso-session x]` and `[services x]` are not profiles.
    const m = /^profile\s+(.+)$/.exec(section);
    const name = m ? m[1].trim() : section === 'default' ? 'default' : undefined;
    if (name) merged.set(name, { ...(merged.get(name) ?? {}), ...values });
  }
  for (const [section, values] of Object.entries(parseIni(credentialsText))) {
    merged.set(section, { ...(merged.get(section) ?? {}), ...values });
  }
  const out = new Map<string, ProfileInfo>();
  for (const [name, v] of merged) out.set(name, profileInfo(name, v));
  return out;
}

function profileInfo(name: string, v: Record<string, string>): ProfileInfo {
  const duration = v.duration_seconds !== undefined ? Number(v.duration_seconds) : undefined;
  const info: ProfileInfo = {
    name,
    hasStaticKeys: Boolean(v.aws_access_key_id),
    hasSessionToken: Boolean(v.aws_session_token),
    kind: 'unknown',
    isRoleSession: undefined,
  };
  const set = <K extends keyof ProfileInfo>(k: K, val: ProfileInfo[K] | undefined) => { if (val !== undefined && val !== '') info[k] = val; };
  set('region', v.region);
  set('mfaSerial', v.mfa_serial);
  set('roleArn', v.role_arn);
  set('sourceProfile', v.source_profile);
  set('credentialSource', v.credential_source);
  set('durationSeconds', Number.isFinite(duration) ? duration : undefined);
  set('ssoStartUrl', v.sso_start_url);
  set('ssoSession', v.sso_session);
  set('ssoAccountId', v.sso_account_id);
  set('ssoRoleName', v.sso_role_name);
  set('credentialProcess', v.credential_process);
  if (info.roleArn) {
    info.kind = 'role';
    info.isRoleSession = true;
  } else if (info.ssoSession || info.ssoStartUrl || info.ssoAccountId) {
    // IAM Identity Center hands out credentials of an AWSReservedSSO_* role: assuming another role is chaining.
    info.kind = 'sso';
    info.isRoleSession = true;
  } else if (info.hasStaticKeys) {
    info.kind = 'static';
    // Long-term keys are a user; a session token means temporary credentials whose origin we cannot see offline.
    info.isRoleSession = info.hasSessionToken ? undefined : false;
  } else if (info.credentialProcess) {
    info.kind = 'process';
  }
  return info;
}

/** One profile's metadata, or undefined when it is not defined in either file. */
export async function readProfile(name: string, env: NodeJS.ProcessEnv = process.env): Promise<ProfileInfo | undefined> {
  return (await readProfiles(env)).get(name);
}
