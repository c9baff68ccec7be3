// `breakglass provision`: create the incident-response roles and break-glass users the config describes. A dry run
// (the plan) unless --apply; broadening changes to existing resources also need --allow-broadening; or export a
// CloudFormation template per account instead. A console password is printed once, to the terminal, never to stdout.
import { promises as fs } from 'fs';
import * as path from 'path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { parseArgs } from '../args';
import { UsageError, type Subcommand } from '../io';
import { cliBase } from './elevate';
import { CONFIG_RELATIVE_PATH } from '../../core/config';
import { accountClientsFactory } from '../../core/provision/access';
import { cloudFormationTemplate } from '../../core/provision/cloudformation';
import { loadInputs } from '../../core/provision/load';
import { applyProvisioning, planCounts, planProvisioning, renderPlan, renderResults } from '../../core/provision/provision';

const USAGE = `usage: breakglass provision [--apply [--allow-broadening]] [--json] [options]
       breakglass provision --export-cloudformation DIR

Create the incident-response roles (BREAK-GLASS-<TYPE>[-<PLAYBOOK>], path /incident-response/) of every account in
${CONFIG_RELATIVE_PATH} that names a "template", and the break-glass users of its "provisioning" block. Without --apply
this prints the plan and changes nothing. Existing resources are compared; drift is shown as a diff.

Options:
  --apply                   make the changes in the plan
  --allow-broadening        also apply changes that broaden trust or permissions of existing roles and users
  --export-cloudformation DIR
                            write one CloudFormation template per account to DIR instead (no AWS calls); the
                            security account's also holds the approvals table when the config has "approvals"
  --alerting                with --export-cloudformation: add the break-glass alerting (EventBridge → SNS) to each
  --alert-email ADDRESS     … subscribed to the alert topic (repeatable)
  --cloudtrail-log-group G  … plus a metric filter and alarm on that CloudTrail log group
  --trust-account ID        confirm the security account the roles will trust, when it is not the account of the
                            current credentials (the config comes from the repository: it must not pick it alone)
  --json                    print the plan (and results) as JSON
  --config FILE             workspace config (default: ${CONFIG_RELATIVE_PATH}); role templates from roles/*.json beside it
  --profile NAME            base credentials profile
  --region REGION           STS region
  --endpoint-url URL        AWS endpoint override (also AWS_ENDPOINT_URL)

A new user's console password is printed once to the terminal (stderr), with PasswordResetRequired; it is not
logged or saved. Creating one needs a terminal.

Exit codes: 0 done (or plan printed), 1 some changes failed or were held back, 2 usage or config problems.
`;

const OPTIONS = {
  apply: { type: 'boolean' }, 'allow-broadening': { type: 'boolean' }, 'trust-account': { type: 'string' }, 'export-cloudformation': { type: 'string' }, json: { type: 'boolean' },
  alerting: { type: 'boolean' }, 'alert-email': { type: 'list' }, 'cloudtrail-log-group': { type: 'string' },
  config: { type: 'string' }, profile: { type: 'string' }, region: { type: 'string' }, 'endpoint-url': { type: 'string' },
} as const;

export const provisionCommand: Subcommand = {
  name: 'provision',
  summary: 'create (or show the plan for) incident-response roles and break-glass users',
  usage: USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    if (p.options['allow-broadening'] && !p.options.apply) throw new UsageError('--allow-broadening only makes sense with --apply');
    const exportDir = p.options['export-cloudformation'] as string | undefined;
    if (exportDir && p.options.apply) throw new UsageError('choose --apply or --export-cloudformation, not both');
    const configFile = path.resolve(io.cwd, (p.options.config as string | undefined) ?? CONFIG_RELATIVE_PATH);
    const inputs = await loadInputs(configFile);
    if (inputs.problems.length) {
      for (const pr of inputs.problems) io.stderr.write(`breakglass provision: ${pr}\n`);
      return 2;
    }
    const { desired } = inputs;
    if (exportDir) {
      const dir = path.resolve(io.cwd, exportDir);
      await fs.mkdir(dir, { recursive: true });
      for (const a of desired.accounts) {
        const file = path.join(dir, `breakglass-${a.accountId}.template.json`);
        const emails = (p.options['alert-email'] as string[] | undefined) ?? [];
        const logGroup = p.options['cloudtrail-log-group'] as string | undefined;
        const alerting = p.options.alerting || emails.length || logGroup ? { emails, ...(logGroup ? { cloudTrailLogGroup: logGroup } : {}) } : undefined;
        const approvals = inputs.config.approvals && a.accountId === desired.provisioning.securityAccountId
          ? { table: inputs.config.approvals.table, ...(inputs.config.approvals.topicArn ? { topicName: inputs.config.approvals.topicArn.split(':').pop() } : {}) } : undefined;
        await fs.writeFile(file, JSON.stringify(cloudFormationTemplate(a, { ...(alerting ? { alerting } : {}), ...(approvals ? { approvals } : {}) }), null, 2) + '\n');
        io.stdout.write(`${file}: ${a.roles.length} role(s), ${a.users.length} user(s) for ${a.name} (${a.accountId})\n`);
      }
      if (desired.accounts.some((a) => a.users.length)) io.stderr.write('note: console passwords are not in the templates; after deploying, run `breakglass provision --apply` to set them (shown once).\n');
      return 0;
    }
    const base = await cliBase(p, io);
    const access = accountClientsFactory(base.clients, desired.provisioning.provisioningRoleName);
    try {
      const plan = await planProvisioning(desired, { clientsFor: access.clientsFor });
      const counts = planCounts(plan);
      if (!p.options.apply) {
        if (p.options.json) io.stdout.write(JSON.stringify({ plan: jsonPlan(plan) }, null, 2) + '\n');
        else io.stdout.write(renderPlan(plan, desired));
        if (counts.changes) io.stderr.write(`Dry run: nothing was changed. Re-run with --apply${counts.broadening ? ' (and --allow-broadening for the changes marked !)' : ''} to make these changes.\n`);
        return counts.unreachable ? 1 : 0;
      }
      if (!p.options.json) io.stdout.write(renderPlan(plan, desired));
      // Who the roles trust comes from a file in the repository. Unless it is the operator's own account, the
      // operator confirms it on the command line, so a hostile config cannot make them trust someone else's account.
      const trusted = desired.provisioning.securityAccountId;
      const own = await base.clients.sts().send(new GetCallerIdentityCommand({})).then((w) => w.Account, () => undefined);
      if (own !== trusted && p.options['trust-account'] !== trusted) {
        io.stderr.write(`breakglass provision: the roles would trust security account ${trusted}, which is not the account of your credentials (${own ?? 'unknown'}). `
          + `Check it, then confirm with --trust-account ${trusted}. Nothing was changed.\n`);
        return 2;
      }
      const interactive = io.isTTY;
      const results = await applyProvisioning(plan, { clientsFor: access.clientsFor }, {
        allowBroadening: Boolean(p.options['allow-broadening']),
        showPassword: (user, password, arn) => {
          // The one display of the password: the terminal, never stdout (which may be piped into a file).
          io.stderr.write(`\nConsole password for ${user} (${arn}) — shown once, not stored anywhere; the responder must change it at first sign-in:\n\n    ${password}\n\n`
            + `Next step: ${user} signs in, sets a new password and enrols an MFA device (IAM console → Security credentials → Assign MFA device).\n\n`);
        },
        ...(interactive ? {} : { canShowPassword: false }),
      });
      if (p.options.json) io.stdout.write(JSON.stringify({ plan: jsonPlan(plan), results: results.map((a) => ({ ...a, results: a.results.map((r) => ({ resource: r.change.resource, kind: r.change.kind, summary: r.change.summary, status: r.status, ...(r.message ? { message: r.message } : {}) })) })) }, null, 2) + '\n');
      else io.stdout.write('\n' + renderResults(results));
      const bad = results.some((a) => a.error || a.results.some((r) => r.status !== 'done'));
      return bad ? 1 : 0;
    } finally {
      access.dispose();
      base.clients.destroy();
    }
  },
};

function jsonPlan(plan: Awaited<ReturnType<typeof planProvisioning>>) {
  return plan.accounts.map((a) => ({
    accountId: a.accountId, name: a.name, ...(a.error ? { error: a.error } : {}),
    changes: a.changes.map((c) => ({ resource: c.resource, kind: c.kind, summary: c.summary, broadening: c.broadening, ...(c.diff ? { diff: c.diff } : {}) })),
  }));
}
