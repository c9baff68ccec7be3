// A playbook's text at a git ref, as a read-only document (`breakglass-git:<file path>?<ref>`), for "Compare with HEAD".
import * as path from 'path';
import * as vscode from 'vscode';
import { gitPort, repoRoot, resolveRef } from '../core/authoring/diffGate';

export const GIT_BASE_SCHEME = 'breakglass-git';

export function gitBaseUri(file: vscode.Uri, ref: string): vscode.Uri {
  return vscode.Uri.from({ scheme: GIT_BASE_SCHEME, path: file.fsPath, query: ref });
}

export class PlaybookGitBaseProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const file = uri.path;
    try {
      const root = await repoRoot(path.dirname(file));
      const commit = await resolveRef(root, uri.query || 'HEAD');
      const text = await gitPort(root).show(commit, path.relative(root, file).split(path.sep).join('/'));
      return text ?? '';
    } catch {
      return '';
    }
  }
}

export function registerPlaybookGitBase(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(GIT_BASE_SCHEME, new PlaybookGitBaseProvider());
}

// Reports ("what this playbook newly allows") as read-only Markdown documents: untitled documents would be dirty and
// ask to be saved on close.
export const REPORT_SCHEME = 'breakglass-report';
const reports = new Map<string, string>();
const reportChanged = new vscode.EventEmitter<vscode.Uri>();

/** Shows a Markdown report beside the active editor (same name: replaced). */
export async function showReport(name: string, markdown: string): Promise<vscode.TextDocument> {
  const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name}.md` });
  reports.set(uri.toString(), markdown);
  reportChanged.fire(uri);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: true });
  return doc;
}

export function registerReports(): vscode.Disposable {
  return vscode.Disposable.from(reportChanged, vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, {
    onDidChange: reportChanged.event,
    provideTextDocumentContent: (uri) => reports.get(uri.toString()) ?? '',
  }));
}
