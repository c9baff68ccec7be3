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
];
