// The extension's side of the central trail: reads `breakglass.audit.cloudWatchLogGroup` (machine-scoped: a workspace
// must never decide where audit records go) and keeps one CloudWatchShipper for the current audit file and group.
// notify() after each append; nothing here ever blocks an elevation.
import * as vscode from 'vscode';
import type { CloudWatchShipper } from '../core/trail/cloudwatch';
import type { Logger } from '../core/log';
import type { AwsAccess } from './awsAccess';

/** The configured CloudWatch Logs group, from user/machine settings only (never the workspace). */
export function centralLogGroup(): string {
  const i = vscode.workspace.getConfiguration('breakglass').inspect<string>('audit.cloudWatchLogGroup');
  return (i?.globalValue ?? i?.defaultValue ?? '').trim();
}

export class AuditTrail implements vscode.Disposable {
  private shipper: CloudWatchShipper | undefined;
  private key = '';

  constructor(private readonly aws: AwsAccess, private readonly log: Logger) {}

  /** Ships what is pending for `auditFile` (records from the CLI included), in the background. */
  notify(auditFile: string): void {
    const group = centralLogGroup();
    if (!group) return;
    const key = `${auditFile}\n${group}`;
    if (key !== this.key || !this.shipper) {
      this.shipper?.dispose();
      this.shipper = undefined;
      this.key = key;
      void import('../core/trail/cloudwatch').then(({ CloudWatchShipper: Shipper }) => {
        if (this.key !== key) return;
        this.shipper ??= new Shipper({ logs: async () => (await this.aws.clients()).cloudWatchLogs(), logGroup: group, auditFile, log: this.log });
        this.shipper.notify();
      }, (e) => this.log.error(`central trail unavailable: ${(e as Error).message}`));
      return;
    }
    this.shipper.notify();
  }

  /** The last shipping result, for display. */
  status(): CloudWatchShipper['last'] {
    return this.shipper?.last;
  }

  dispose(): void {
    this.shipper?.dispose();
    this.shipper = undefined;
  }
}
