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
