// Built-in playbooks as read-only documents: `breakglass-builtin:/<name>.json`, served from the templates (never
// from the workspace), in the playbook file format. "Copy Built-in Playbook to Workspace" makes an editable copy.
import * as vscode from 'vscode';
import { builtinPlaybookText } from '../core/playbookFormat';
import { SESSION_POLICY_TEMPLATES } from '../core/templates';

export const BUILTIN_PLAYBOOK_SCHEME = 'breakglass-builtin';

export function builtinPlaybookUri(name: string): vscode.Uri {
  return vscode.Uri.from({ scheme: BUILTIN_PLAYBOOK_SCHEME, path: `/${name}.json` });
}

/** The template name of a built-in playbook URI (undefined for any other URI). */
export function builtinPlaybookName(uri: vscode.Uri): string | undefined {
  if (uri.scheme !== BUILTIN_PLAYBOOK_SCHEME) return undefined;
  const name = uri.path.replace(/^\//, '').replace(/\.json$/, '');
  return SESSION_POLICY_TEMPLATES[name] ? name : undefined;
}

export class BuiltinPlaybookProvider implements vscode.TextDocumentContentProvider {
  provideTextDocumentContent(uri: vscode.Uri): string {
    const name = builtinPlaybookName(uri);
    if (!name) return `// No built-in playbook is called '${uri.path.replace(/^\//, '')}'. Known: ${Object.keys(SESSION_POLICY_TEMPLATES).join(', ')}.\n`;
    return builtinPlaybookText(SESSION_POLICY_TEMPLATES[name]);
  }
}

export function registerBuiltinPlaybooks(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(BUILTIN_PLAYBOOK_SCHEME, new BuiltinPlaybookProvider());
}
