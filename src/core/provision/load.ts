// Reads what provision and check work from, for the CLI: `.breakglass/config.json` and `.breakglass/roles/*.json`
// next to it. Problems come back as text naming the file and JSON path, never as an exception.
import { promises as fs } from 'fs';
import * as path from 'path';
import { parseWorkspaceConfig, type WorkspaceConfig } from '../config';
import type { RoleTemplate } from '../templates';
import { desiredState, type DesiredState } from './desired';
import { resolveRoleTemplates } from './roleTemplates';

export interface LoadedInputs {
  config: WorkspaceConfig;
  templates: Record<string, RoleTemplate>;
  desired: DesiredState;
  /** Config and template problems: provisioning stops on any of them. */
  problems: string[];
}

/** `configFile` is `.breakglass/config.json`; role templates are read from the `roles` folder beside it. */
export async function loadInputs(configFile: string): Promise<LoadedInputs> {
  const problems: string[] = [];
  let text: string;
  try {
    text = await fs.readFile(configFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const empty: WorkspaceConfig = { version: 1, accounts: [] };
    const msg = code === 'ENOENT' ? `${configFile} does not exist; create it (Break Glass: Create Workspace Configuration) or pass --config FILE.` : `${configFile} cannot be read (${code ?? (e as Error).message}).`;
    const desired = desiredState(empty, {});
    return { config: empty, templates: {}, desired: { ...desired, problems: [msg] }, problems: [msg] };
  }
  const parsed = parseWorkspaceConfig(text);
  problems.push(...parsed.problems.map((p) => `${configFile}${p.path ? ` ${p.path}` : ''}: ${p.message}`));
  const dir = path.join(path.dirname(configFile), 'roles');
  let names: string[] = [];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
  } catch {
    names = [];
  }
  const files = await Promise.all(names.map(async (n) => ({ file: path.join(dir, n), text: await fs.readFile(path.join(dir, n), 'utf8') })));
  const resolved = resolveRoleTemplates(files);
  problems.push(...resolved.problems.map((p) => `${p.file}${p.path ? ` ${p.path}` : ''}: ${p.message}`));
  const desired = desiredState(parsed.config, resolved.templates);
  problems.push(...desired.problems);
  return { config: parsed.config, templates: resolved.templates, desired: { ...desired, problems }, problems };
}
