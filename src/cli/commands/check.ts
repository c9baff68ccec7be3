// `breakglass check`: the readiness drill. Markdown on stdout (or --json), one finding per check with pass / warn /
// fail, a reason and a fix; exit 0 all pass, 1 warnings, 2 failures — for a scheduled CI job ("quarterly drill").
import * as path from 'path';
import { parseArgs } from '../args';
import { UsageError, type Subcommand } from '../io';
import { cliBase, readSecretLine as readLine } from '../base';
import { AuditLog, defaultAuditPath } from '../../core/audit/log';
import { CONFIG_RELATIVE_PATH } from '../../core/config';
import { accountClientsFactory } from '../../core/provision/access';
import { loadInputs } from '../../core/provision/load';
import { runDrill } from '../../core/readiness/drill';
import { liveElevation } from '../../core/readiness/live';
import { renderMarkdown } from '../../core/readiness/report';
import { VERSION } from '../../core/version';

const USAGE = `usage: breakglass check [--json] [--live [--mfa-serial ARN] [--token-code CODE]…] [options]

Readiness drill for every account, incident-response role and break-glass user in ${CONFIG_RELATIVE_PATH}: the role
exists; its trust requires MFA correctly (Bool aws:MultiFactorAuthPresent "true", an aws:MultiFactorAuthAge bound,
sts:TagSession and sts:SetSourceIdentity) and trusts only the configured principals; MaxSessionDuration, boundary,
tags and policies match the template (drift as a diff); no leftover AWSRevokeOlderSessions; users have MFA, no access
keys, a password, policies as designed; the account password policy is strong; the account's SCPs (read with your
credentials: management account or delegated administrator) do not remove the playbooks' key actions.

Options:
  --json                  the report as JSON instead of Markdown
  --live                  also assume each role with MFA and the read-only playbook and call GetCallerIdentity
                          (audited like elevate; nothing is revoked)
  --token-code CODE       MFA code for --live, one per role in report order (prompted for on a terminal)
  --mfa-serial ARN        MFA device for --live (default: the profile's mfa_serial or $BREAKGLASS_MFA_SERIAL)
  --alerting              also check each account's break-glass alerting (EventBridge rules on break-glass AssumeRole /
                          ConsoleLogin → SNS topic with a confirmed subscription; see breakglass alerting)
  --alert-topic NAME      the alerting topic's name (default: breakglass-alerts)
  --requester NAME        who runs the drill (default: $BREAKGLASS_REQUESTER, else your caller identity)
  --config FILE           workspace config (default: ${CONFIG_RELATIVE_PATH})
  --profile NAME, --region REGION, --endpoint-url URL, --audit-log FILE   as for elevate

Exit codes: 0 all checks pass, 1 warnings, 2 failures (or usage / config problems).
`;

const OPTIONS = {
  json: { type: 'boolean' }, live: { type: 'boolean' }, alerting: { type: 'boolean' }, 'alert-topic': { type: 'string' }, 'token-code': { type: 'list' }, 'mfa-serial': { type: 'string' }, requester: { type: 'string' },
  config: { type: 'string' }, profile: { type: 'string' }, region: { type: 'string' }, 'endpoint-url': { type: 'string' }, 'audit-log': { type: 'string' },
} as const;

export const checkCommand: Subcommand = {
  name: 'check',
  summary: 'readiness drill: are the roles and break-glass users there, as designed, and usable (exit 0/1/2)',
  usage: USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const codes = [...((p.options['token-code'] as string[] | undefined) ?? [])];
    if (codes.length && !p.options.live) throw new UsageError('--token-code is only used with --live');
    const configFile = path.resolve(io.cwd, (p.options.config as string | undefined) ?? CONFIG_RELATIVE_PATH);
    const inputs = await loadInputs(configFile);
    const base = await cliBase(p, io, async (serial) => {
      if (!io.isTTY) throw new UsageError(`the profile needs an MFA code for ${serial}; run on a terminal`);
      io.stderr.write(`MFA code for ${serial}: `);
      return ((await readLine(io)) ?? '').trim();
    });
    const access = accountClientsFactory(base.clients, inputs.desired.provisioning.provisioningRoleName);
    try {
      let live;
      if (p.options.live) {
        const mfaSerial = (p.options['mfa-serial'] as string | undefined) ?? base.profile?.mfaSerial ?? io.env.BREAKGLASS_MFA_SERIAL;
        live = liveElevation({
          base: base.clients, mfaSerial, region: base.region,
          requester: (p.options.requester as string | undefined) ?? io.env.BREAKGLASS_REQUESTER,
          audit: new AuditLog((p.options['audit-log'] as string | undefined) ?? defaultAuditPath(io.env), { source: `cli/${VERSION}` }),
          tokenCode: async (role) => {
            const next = codes.shift();
            if (next !== undefined) return next;
            if (!io.isTTY) throw new UsageError(`no MFA code left for ${role.name}: pass one --token-code per role, or run on a terminal`);
            io.stderr.write(`MFA code for ${mfaSerial ?? 'your MFA device'} (live check of ${role.name}): `);
            return ((await readLine(io)) ?? '').trim();
          },
        });
      }
      // The organisation's SCPs are read with the caller's own credentials (management account or delegated admin).
      const organizations = async () => base.clients.organizations();
      const alerting = p.options.alerting || p.options['alert-topic'] ? { topicName: p.options['alert-topic'] as string | undefined } : undefined;
      const report = await runDrill(inputs.desired, { clientsFor: access.clientsFor, organizations, ...(live ? { live } : {}), ...(alerting ? { alerting } : {}) });
      io.stdout.write(p.options.json ? JSON.stringify(report, null, 2) + '\n' : renderMarkdown(report));
      return report.exitCode;
    } finally {
      access.dispose();
      base.clients.destroy();
    }
  },
};
