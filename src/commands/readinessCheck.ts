// "Break Glass: Run Readiness Check": the drill (src/core/readiness) over the workspace's config and role templates
// with the extension's AWS identity. The report opens as a Markdown document; each account gets a badge in the tree.
// Static checks only here; `breakglass check --live` elevates into each role.
import * as vscode from 'vscode';
import { desiredState } from '../core/provision/desired';
import { resolveRoleTemplates } from '../core/provision/roleTemplates';
import type { DrillReport } from '../core/readiness/drill';
import { renderMarkdown } from '../core/readiness/report';
import { readRoleTemplateFiles } from '../views/roleTemplates';
import type { CommandContext } from './context';

/** The desired state from the workspace: config + role templates, with every problem (config and template files). */
export async function workspaceDesiredState(ctx: CommandContext) {
  const [config, files] = await Promise.all([ctx.configs.get(), readRoleTemplateFiles()]);
  const templates = resolveRoleTemplates(files);
  const desired = desiredState(config, templates.templates);
  return { ...desired, problems: [...templates.problems.map((p) => `${p.file}${p.path ? ` ${p.path}` : ''}: ${p.message}`), ...desired.problems] };
}

export async function readinessCheck(ctx: CommandContext): Promise<DrillReport | undefined> {
  const desired = await workspaceDesiredState(ctx);
  const [{ accountClientsFactory }, { runDrill }, clients] = await Promise.all([import('../core/provision/access'), import('../core/readiness/drill'), ctx.aws.clients()]);
  const access = accountClientsFactory(clients, desired.provisioning.provisioningRoleName);
  let report: DrillReport;
  try {
    report = await vscode.window.withProgress({ location: { viewId: 'breakglass.accounts' }, title: 'Break Glass readiness check' },
      () => runDrill(desired, { clientsFor: access.clientsFor, organizations: async () => clients.organizations() }));
  } finally {
    access.dispose();
  }
  ctx.accountsTree.setReadiness(report.accounts);
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: renderMarkdown(report) });
  await vscode.window.showTextDocument(doc, { preview: false });
  const n = (s: string) => report.findings.filter((f) => f.status === s).length;
  const summary = `readiness check: ${n('pass')} passed, ${n('warn')} warnings, ${n('fail')} failures, ${n('skip')} not checked`;
  ctx.log.info(summary);
  const show = report.exitCode === 2 ? vscode.window.showErrorMessage : report.exitCode === 1 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(`Break Glass: ${summary}.`);
  return report;
}
