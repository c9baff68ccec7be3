// The subcommand table: name and summary here, the module loaded only when the subcommand runs, so `breakglass
// --version` and `--help` load no AWS SDK and no policy data. Add new subcommands here (the build splits each one
// into its own file, see esbuild.js).
/* eslint-disable @typescript-eslint/no-require-imports -- require() on first use: tsx (tests) and esbuild (the split
   build) both resolve it; a dynamic import() would be left to Node's ESM loader by tsx. */
import type { LazySubcommand } from '../io';

export const SUBCOMMANDS: LazySubcommand[] = [
  { name: 'simulate', summary: 'evaluate IAM policies offline: would this request be allowed? (single or JSON Lines batch)', load: async () => (require('./simulate') as typeof import('./simulate')).simulate },
  { name: 'elevate', summary: 'assume a break-glass role with MFA, a playbook session policy and a time box', load: async () => (require('./elevate') as typeof import('./elevate')).elevateCommand },
  { name: 'revoke', summary: 'revoke all sessions of a role in AWS (AWSRevokeOlderSessions)', load: async () => (require('./revoke') as typeof import('./revoke')).revokeCommand },
  { name: 'audit', summary: 'summarise break-glass sessions from the audit log (Markdown or JSON)', load: async () => (require('./audit') as typeof import('./audit')).auditCommand },
  { name: 'preview', summary: 'show what a session policy removes from (or adds to) a role, offline', load: async () => (require('./preview') as typeof import('./preview')).previewCommand },
  { name: 'lint', summary: 'check IAM policy files offline (grammar, risky grants, condition types, session limits)', load: async () => (require('./lint') as typeof import('./lint')).lintCommand },
  { name: 'provision', summary: 'create (or show the plan for) incident-response roles and break-glass users', load: async () => (require('./provision') as typeof import('./provision')).provisionCommand },
  { name: 'check', summary: 'readiness drill: are the roles and break-glass users there, as designed, and usable (exit 0/1/2)', load: async () => (require('./check') as typeof import('./check')).checkCommand },
  { name: 'console', summary: 'open the AWS console for a live session (federation sign-in)', load: async () => (require('./console') as typeof import('./console')).consoleCommand },
  { name: 'credential-process', summary: 'print a live session\'s credentials for credential_process in ~/.aws/config', load: async () => (require('./credentialProcess') as typeof import('./credentialProcess')).credentialProcessCommand },
  { name: 'activity', summary: 'break-glass AssumeRole / ConsoleLogin events from CloudTrail, correlated with the audit log', load: async () => (require('./activity') as typeof import('./activity')).activityCommand },
  { name: 'alerting', summary: 'provision, check or export (CloudFormation) the EventBridge → SNS alerts on break-glass use', load: async () => (require('./alerting') as typeof import('./alerting')).alertingCommand },
  { name: 'request', summary: 'ask another person to approve an elevation (two-person rule)', load: async () => (require('./approvals') as typeof import('./approvals')).requestCommand },
  { name: 'requests', summary: 'list approval requests: yours, and those waiting for you', load: async () => (require('./approvals') as typeof import('./approvals')).requestsCommand },
  { name: 'approve', summary: 'approve another person\'s request', load: async () => (require('./approvals') as typeof import('./approvals')).approveCommand },
  { name: 'deny', summary: 'deny another person\'s request', load: async () => (require('./approvals') as typeof import('./approvals')).denyCommand },
  { name: 'approvals', summary: 'create the approvals table, or print its CloudFormation resources', load: async () => (require('./approvals') as typeof import('./approvals')).approvalsAdminCommand },
  { name: 'diff', summary: 'review gate: what each playbook newly allows compared with a git ref (exit 1 if anything)', load: async () => (require('./diff') as typeof import('./diff')).diffCommand },
];
