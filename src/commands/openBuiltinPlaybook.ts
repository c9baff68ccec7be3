import * as vscode from 'vscode';
import { SESSION_POLICY_TEMPLATES } from '../core/templates';
import { builtinPlaybookUri } from '../views/builtinPlaybooks';
import type { CommandContext } from './context';

/** Asks for a built-in playbook (unless one is named). */
export async function pickBuiltinPlaybook(title: string, name?: unknown): Promise<string | undefined> {
  if (typeof name === 'string' && SESSION_POLICY_TEMPLATES[name]) return name;
  const pick = await vscode.window.showQuickPick(Object.values(SESSION_POLICY_TEMPLATES).map((t) => ({
    label: t.name, description: `max ${t.maxDuration / 3600} h`, detail: t.description,
  })), { title, placeHolder: 'Which built-in playbook?', matchOnDetail: true });
  return pick?.label;
}

/** Break Glass: Open Built-in Playbook… — a read-only document in the playbook format (lint, hover, preview lens). */
export async function openBuiltinPlaybook(_ctx: CommandContext, name?: string): Promise<vscode.TextEditor | undefined> {
  const picked = await pickBuiltinPlaybook('Break Glass: Open Built-in Playbook', name);
  if (!picked) return undefined;
  let doc = await vscode.workspace.openTextDocument(builtinPlaybookUri(picked));
  // The text has comments: show it as JSON with comments.
  if (doc.languageId !== 'jsonc') doc = await vscode.languages.setTextDocumentLanguage(doc, 'jsonc');
  return vscode.window.showTextDocument(doc, { preview: false });
}
