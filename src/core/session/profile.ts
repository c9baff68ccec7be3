// "Write AWS Profile": a `credential_process` profile in ~/.aws/config for a live session, so any tool that reads the
// shared config (AWS CLI, SDKs, Terraform, …) uses it. No secret is written: the profile names a command, and that
// command asks the running editor for the credentials each time (src/core/session/agent.ts).
import { promises as fsp } from 'fs';
import * as path from 'path';

export interface ProfileSpec {
  /** e.g. breakglass-INC-2024-001 (letters, digits and - _ . only). */
  name: string;
  /** argv of the CLI, e.g. ['breakglass'] or [node, /path/to/cli.js]. */
  command: string[];
  incidentId: string;
  /** Role name or ARN, to pick one session when an incident has several. */
  role?: string;
  region?: string;
}

const PROFILE_NAME = /^[\w.-]{1,64}$/;

/** A profile name for an incident (and role), valid in ~/.aws/config. */
export function profileNameFor(incidentId: string, roleName?: string): string {
  return `breakglass-${incidentId}${roleName ? `-${roleName}` : ''}`.replace(/[^\w.-]+/g, '-').slice(0, 64);
}

/** Quotes one argument for credential_process (split like a shell command line by the SDKs). */
function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

/** The profile's lines. Throws on a name or argument that would break the INI file. */
export function profileSection(spec: ProfileSpec): string[] {
  if (!PROFILE_NAME.test(spec.name)) throw new Error(`"${spec.name}" is not a usable profile name; use letters, digits, '-', '_' and '.'.`);
  const args = [...spec.command, 'credential-process', '--incident', spec.incidentId, ...(spec.role ? ['--role', spec.role] : [])];
  if (args.some((a) => /[\r\n]/.test(a))) throw new Error('A profile argument contains a line break.');
  return [
    `[profile ${spec.name}]`,
    '# Written by Break Glass: credentials come from the editor while the session is live; nothing secret is stored here.',
    `credential_process = ${args.map(quote).join(' ')}`,
    ...(spec.region ? [`region = ${spec.region}`] : []),
  ];
}

/** Replaces the `[profile name]` section of a config file text, or appends it. Other sections stay byte-for-byte. */
export function upsertProfile(configText: string, name: string, section: string[]): string {
  const lines = configText.length ? configText.replace(/\r\n/g, '\n').split('\n') : [];
  const header = (l: string) => /^\s*\[(.+)\]\s*$/.exec(l)?.[1].trim();
  const start = lines.findIndex((l) => header(l) === `profile ${name}` || (name === 'default' && header(l) === 'default'));
  if (start < 0) {
    const body = lines.join('\n').replace(/\n*$/, '');
    return `${body}${body ? '\n\n' : ''}${section.join('\n')}\n`;
  }
  let end = start + 1;
  while (end < lines.length && header(lines[end]) === undefined) end++;
  // Keep the blank lines that separated the section from the next one.
  let keep = end;
  while (keep > start + 1 && lines[keep - 1].trim() === '') keep--;
  return [...lines.slice(0, start), ...section, ...lines.slice(keep, end), ...lines.slice(end)].join('\n');
}

/** Writes the profile into the config file (created 0600 with its directory 0700 when missing). Returns the path. */
export async function writeProfile(configPath: string, spec: ProfileSpec): Promise<string> {
  await fsp.mkdir(path.dirname(configPath), { recursive: true, mode: 0o700 });
  let text = '';
  try {
    text = await fsp.readFile(configPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const next = upsertProfile(text, spec.name, profileSection(spec));
  // Write beside it, then rename: a crash never leaves a half-written config.
  const tmp = `${configPath}.breakglass-${process.pid}.tmp`;
  const mode = await fsp.stat(configPath).then((s) => s.mode & 0o777, () => 0o600);
  await fsp.writeFile(tmp, next, { mode });
  await fsp.rename(tmp, configPath);
  return configPath;
}
