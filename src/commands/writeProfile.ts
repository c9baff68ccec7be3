// Break Glass: Write AWS Profile — a credential_process profile in ~/.aws/config for a live session's incident, so
// every other tool (AWS CLI, SDKs, Terraform) can use it. No secret is written; the profile runs
// `breakglass credential-process`, which asks this editor over its private socket while the session is live.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { sharedFilePaths } from '../core/aws/profiles';
import { profileNameFor, writeProfile } from '../core/session/profile';
import type { Session } from '../core/session/types';
import type { CommandContext } from './context';
import { pickLiveSession } from './openTerminal';

/** The CLI's argv for credential_process: `breakglass` on PATH, else node + the bundled CLI. */
export function cliCommand(extensionPath: string, env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const onPath = (name: string) => (env.PATH ?? '').split(path.delimiter).filter(Boolean)
    .map((d) => path.join(d, process.platform === 'win32' ? `${name}.cmd` : name)).find((p) => fs.existsSync(p));
  const bg = onPath('breakglass');
  if (bg) return [bg];
  const cli = path.join(extensionPath, 'dist', 'cli.js');
  const node = /^node(\.exe)?$/i.test(path.basename(process.execPath)) ? process.execPath : onPath('node');
  return node && fs.existsSync(cli) ? [node, cli] : undefined;
}

export async function writeProfileCommand(ctx: CommandContext, arg?: string | { session?: Session }): Promise<string | undefined> {
  const id = typeof arg === 'string' ? arg : arg?.session?.id ?? (await pickLiveSession(ctx, 'Write an AWS profile for which session?'));
  const session = id ? ctx.sessions.get(id) : undefined;
  if (!session) return undefined;
  const command = cliCommand(ctx.extension.extensionPath);
  if (!command) {
    void vscode.window.showErrorMessage('Break Glass: neither the breakglass CLI nor node is on your PATH, so no tool could run the profile. Install Node.js 20+ and try again.');
    return undefined;
  }
  if (process.platform === 'win32') {
    void vscode.window.showErrorMessage('Break Glass: credential_process profiles need the editor\'s private socket, which is not available on Windows yet. Use a session terminal instead.');
    return undefined;
  }
  const several = ctx.sessions.live().filter((s) => s.incidentId === session.incidentId).length > 1;
  const name = profileNameFor(session.incidentId, several ? session.roleName : undefined);
  const file = sharedFilePaths().config;
  await writeProfile(file, { name, command, incidentId: session.incidentId, role: several ? session.roleName : undefined, region: session.region });
  ctx.log.info(`wrote AWS profile ${name} (credential_process, no secret) to ${file}`);
  void vscode.window.showInformationMessage(`Break Glass: profile "${name}" written to ${file}. Tools using it (aws --profile ${name} …) get the session's credentials from this editor while it is live; nothing secret is in the file.`, 'Copy Profile Name')
    .then((pick) => pick && vscode.env.clipboard.writeText(name));
  return name;
}
