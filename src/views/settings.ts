// Typed access to the `breakglass.*` settings. Read through `readSettings()` each time they are needed (cheap), and
// react to changes with `onSettingsChanged`, filtered with affectsConfiguration.
import * as vscode from 'vscode';

export type CredentialDelivery = 'environment' | 'localEndpoint';
export type RevokeInAws = 'ask' | 'always' | 'never';

export interface Settings {
  /** AWS profile holding the base (break-glass user) credentials; empty: environment / default chain. */
  sourceProfile: string;
  /** Endpoint override for STS/IAM/Organizations (a local test endpoint, a VPC endpoint). */
  endpointUrl: string;
  /** Region for STS and for the terminals' AWS_REGION when the account lists none. */
  region: string;
  /** Who is elevating: goes to the Requester tag and SourceIdentity. */
  requester: string;
  incidentPattern: string;
  incidentExample: string;
  credentialDelivery: CredentialDelivery;
  openTerminalOnElevate: boolean;
  closeTerminalsOnExpiry: boolean;
  /** Minutes before expiry at which to warn. */
  expiryWarningMinutes: number[];
  revokeInAws: RevokeInAws;
  /** Absolute path of the audit log; empty: the per-user default shared with the CLI (defaultAuditPath). */
  auditLogPath: string;
  discoverRoles: boolean;
  discoverAccounts: boolean;
}

export const SECTION = 'breakglass';

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const minutes = c.get<number[]>('expiryWarningMinutes', [10, 2]).filter((m) => typeof m === 'number' && m > 0);
  return {
    sourceProfile: c.get<string>('sourceProfile', '').trim(),
    endpointUrl: c.get<string>('endpointUrl', '').trim(),
    region: c.get<string>('region', '').trim(),
    requester: c.get<string>('requester', '').trim(),
    incidentPattern: c.get<string>('incidentPattern', '').trim(),
    incidentExample: c.get<string>('incidentExample', 'INC-2024-001').trim(),
    credentialDelivery: c.get<CredentialDelivery>('terminal.credentialDelivery', 'environment'),
    openTerminalOnElevate: c.get<boolean>('terminal.openOnElevate', true),
    closeTerminalsOnExpiry: c.get<boolean>('terminal.closeOnExpiry', true),
    expiryWarningMinutes: minutes,
    revokeInAws: c.get<RevokeInAws>('revokeInAws', 'ask'),
    auditLogPath: c.get<string>('auditLogPath', '').trim(),
    discoverRoles: c.get<boolean>('discovery.roles', false),
    discoverAccounts: c.get<boolean>('discovery.accounts', false),
  };
}

export function onSettingsChanged(keys: string[], listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (keys.some((k) => e.affectsConfiguration(`${SECTION}.${k}`))) listener();
  });
}
