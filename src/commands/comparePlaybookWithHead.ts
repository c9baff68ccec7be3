import * as path from 'path';
import * as vscode from 'vscode';
import { diffPlaybookTexts, gitPort, GitError, repoRoot, resolveRef, type PlaybookDiff } from '../core/authoring/diffGate';
import { gitBaseUri, showReport } from '../views/playbookGitBase';
import type { CommandContext } from './context';

/** Markdown of one playbook's new access (the same content as `breakglass diff`). */
export function newAccessMarkdown(d: PlaybookDiff, ref: string): string {
  const lines = [`# ${d.file} compared with ${ref}`, ''];
  if (d.status === 'error') lines.push(`**Cannot be evaluated:**`, '', '```', d.error ?? '', '```');
  else if (!d.newAccess.length) lines.push(`No new access${d.removedCount ? `; ${d.removedCount} action(s) no longer allowed` : ''}.`);
  else {
    lines.push(`**${d.newAccess.length} newly allowed action(s)**${d.riskyCount ? `, **${d.riskyCount} risky**` : ''}${d.removedCount ? `; ${d.removedCount} no longer allowed` : ''}.`, '');
    const risky = d.newAccess.filter((c) => c.risks.some((r) => r.severity !== 'low'));
    if (risky.length) {
      lines.push('## Risky', '');
      for (const c of risky) lines.push(`- \`${c.action}\` (${c.accessLevel}, ${c.before} → ${c.after}): ${c.risks[0].severity} ${c.risks[0].category} — ${c.risks[0].reason}`);
      lines.push('');
    }
    lines.push('## By service', '');
    for (const s of d.services) {
      lines.push(`### ${s.service} — ${s.name} (+${s.count})`);
      for (const [level, acts] of Object.entries(s.byLevel)) lines.push(`- ${level}: ${acts.map((x) => `\`${x}\``).join(', ')}`);
      lines.push('');
    }
  }
  if (d.note) lines.push('', `Note: ${d.note}`);
  return lines.join('\n') + '\n';
}

/**
 * Break Glass: Compare Playbook with HEAD — a diff view of the playbook against its last commit (unsaved edits
 * included), and beside it what the playbook newly allows (the `breakglass diff` gate for this file).
 */
export async function comparePlaybookWithHead(_ctx: CommandContext, uri?: vscode.Uri): Promise<PlaybookDiff | undefined> {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!target || target.scheme !== 'file') {
    void vscode.window.showInformationMessage('Break Glass: open a playbook file of the workspace first, then compare it with HEAD.');
    return undefined;
  }
  const ref = 'HEAD';
  let baseText: string | undefined;
  let rel: string;
  try {
    const root = await repoRoot(path.dirname(target.fsPath));
    const commit = await resolveRef(root, ref);
    rel = path.relative(root, target.fsPath).split(path.sep).join('/');
    baseText = await gitPort(root).show(commit, rel);
  } catch (e) {
    if (!(e instanceof GitError)) throw e;
    void vscode.window.showErrorMessage(`Break Glass: cannot compare with ${ref}: ${e.message}.`);
    return undefined;
  }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
  const d = diffPlaybookTexts(rel, baseText, text);
  await vscode.commands.executeCommand('vscode.diff', gitBaseUri(target, ref), target, `${path.basename(target.fsPath)} (${ref}) ↔ working tree`);
  await showReport(`${path.basename(target.fsPath, '.json')} new access since ${ref}`, newAccessMarkdown(d, ref));
  return d;
}
