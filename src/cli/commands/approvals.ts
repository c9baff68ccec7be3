// `breakglass request | requests | approve | deny | approvals`: the two-person rule from a terminal, over the same
// core use-cases as the extension (src/core/approvals). The table, approvers and topic come from the `approvals` block
// of .breakglass/config.json (--config to choose the file).
//
// Exit codes (for scripts):
//   0 done (a notification that could not be sent is a warning on stderr, not a failure)
//   1 AWS or the approvals store failed (unreachable, access denied, table missing)
//   2 usage, config or pre-flight problems
//   3 refused by a rule: not an approver, self-approval, already approved by you
//   4 the request is not in a state that allows it (already decided by someone else — who is printed —, expired, not found)
import { promises as fsp } from 'fs';
import * as path from 'path';
import { parseArgs, requireString, type Parsed } from '../args';
import { UsageError, type CliIO, type Subcommand } from '../io';
import { AuditLog, defaultAuditPath } from '../../core/audit/log';
import { BreakGlassError } from '../../core/aws/errors';
import { CONFIG_RELATIVE_PATH, parseWorkspaceConfig, type ApprovalsConfig, type WorkspaceConfig } from '../../core/config';
import { approvalGate, approvalRequired, type ElevationGate } from '../../core/approvals/gate';
import { playbookDisplayName } from '../../core/approvals/hash';
import { decideRequest, listRequests, requestAccess, type ApprovalPorts, type Outcome } from '../../core/approvals/requests';
import { approvalPorts } from '../../core/approvals/services';
import { ApprovalConflict, ApprovalRefused, ApprovalStoreError } from '../../core/approvals/store';
import { approvalsCloudFormation, createApprovalsTable } from '../../core/approvals/table';
import { statusLabel, type ApprovalRequest } from '../../core/approvals/types';
import type { AwsClients } from '../../core/aws/clients';
import { planElevation } from '../../core/session/elevate';
import { VERSION } from '../../core/version';
import { cliBase } from '../base';
import { parsePlaybookArg, PlaybookError, resolvePlaybook } from '../../core/playbooks';
import { requesterFromArn, sessionSuffix } from '../../core/session/run';

const COMMON = {
  config: { type: 'string' }, profile: { type: 'string' }, region: { type: 'string' }, 'endpoint-url': { type: 'string' },
  'audit-log': { type: 'string' },
} as const;

const COMMON_HELP = `  --config FILE           workspace config with the "approvals" block (default: ./${CONFIG_RELATIVE_PATH})
  --profile NAME          base credentials profile (default: environment / default chain)
  --region REGION         STS region (the table's region is approvals.region, else this one)
  --endpoint-url URL      STS/IAM endpoint override (the table and topic: AWS_ENDPOINT_URL_DYNAMODB, _SNS or AWS_ENDPOINT_URL)
  --audit-log FILE        audit log (default: $BREAKGLASS_AUDIT_LOG or ~/.breakglass/audit.jsonl)`;

const EXIT_CODES = `Exit codes: 0 done, 1 AWS or the approvals store failed, 2 usage/config problems,
            3 refused by a rule (not an approver, self-approval), 4 the request's state does not allow it
            (decided by someone else, expired, not found).`;

/** Reads and parses the workspace config; problems in the approvals block are usage errors. */
export async function loadConfig(p: Parsed, io: CliIO, required: boolean): Promise<WorkspaceConfig | undefined> {
  const file = path.resolve(io.cwd, (p.options.config as string | undefined) ?? CONFIG_RELATIVE_PATH);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === 'ENOENT' && p.options.config === undefined) return undefined;
    throw new UsageError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass --config FILE`);
  }
  const { config, problems } = parseWorkspaceConfig(text);
  const relevant = problems.filter((x) => x.path === '' || x.path.startsWith('approvals') || x.path.startsWith('playbooks'));
  if (relevant.length) throw new UsageError(`${file}: ${relevant.map((x) => `${x.path || 'config'}: ${x.message}`).join(' ')}`);
  return config;
}

function needApprovals(config: WorkspaceConfig | undefined): ApprovalsConfig {
  if (!config?.approvals) throw new UsageError(`no "approvals" block in ${CONFIG_RELATIVE_PATH}; add { "approvals": { "table": "breakglass-approvals", "approvers": { "groups": ["IncidentApprovers"] } } }`);
  return config.approvals;
}

function auditOf(p: Parsed, io: CliIO): AuditLog {
  return new AuditLog((p.options['audit-log'] as string | undefined) ?? defaultAuditPath(io.env), { source: `cli/${VERSION}` });
}

/** Exit code and one line on stderr for an error from the approval use-cases. */
function report(name: string, e: unknown, io: CliIO): number {
  if (e instanceof ApprovalRefused) { io.stderr.write(`breakglass ${name}: ${e.translated.title}: ${e.message}\n`); return 3; }
  if (e instanceof ApprovalConflict) { io.stderr.write(`breakglass ${name}: ${e.message}\n`); return 4; }
  if (e instanceof ApprovalStoreError || e instanceof BreakGlassError) { io.stderr.write(`breakglass ${name}: ${e.translated.title}: ${e.message}\n`); return 1; }
  throw e;
}

function warnOutcome(name: string, o: Outcome, io: CliIO): void {
  if (!o.notified.ok) io.stderr.write(`breakglass ${name}: warning: ${o.notified.message}\n`);
  if (o.auditError) io.stderr.write(`breakglass ${name}: warning: the audit record could not be written (${o.auditError}).\n`);
}

function line(r: ApprovalRequest, now: number): string {
  const role = r.roleArn.split('/').pop();
  const approvals = r.approvals.length ? ` approvals=${r.approvals.map((a) => a.arn.split('/').pop()).join(',')}` : '';
  return `${r.id}  ${statusLabel(r, now).padEnd(8)}  ${r.incidentId}  ${role}  ${playbookDisplayName(r.playbook)}  by ${r.requester}  expires ${r.expiresAt}${approvals}${r.note ? `  note="${r.note}"` : ''}`;
}

async function withPorts<T>(p: Parsed, io: CliIO, run: (ports: ApprovalPorts, clients: AwsClients) => Promise<T>): Promise<T> {
  const config = await loadConfig(p, io, true);
  const approvals = needApprovals(config);
  const base = await cliBase(p, io);
  const audit = auditOf(p, io);
  try {
    return await run(approvalPorts(approvals, base.clients, { audit }), base.clients);
  } finally {
    await audit.dispose();
    base.clients.destroy();
  }
}

export const requestCommand: Subcommand = {
  name: 'request',
  summary: 'ask another person to approve an elevation (two-person rule)',
  usage: `usage: breakglass request --role-arn ARN --playbook NAME|FILE --incident ID --justification TEXT [options]

Records a pending request in the approvals table for exactly this role, session policy and incident, and notifies
the approvers (SNS). Once approved, \`breakglass elevate\` with the same role, playbook and incident uses it.

Options:
  --duration SECONDS      session length asked for
  --requester NAME        who asks (default: $BREAKGLASS_REQUESTER, else your identity from sts:GetCallerIdentity)
  --json                  print the request as JSON
${COMMON_HELP}

${EXIT_CODES}
`,
  async run(argv, io) {
    const p = parseArgs(argv, { ...COMMON, 'role-arn': { type: 'string' }, playbook: { type: 'string' }, incident: { type: 'string' },
      justification: { type: 'string' }, duration: { type: 'string' }, requester: { type: 'string' }, json: { type: 'boolean' } });
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const roleArn = requireString(p, 'role-arn');
    // The same playbook model and resolver as elevate, so the policy hash the approval covers is what elevate sends.
    let playbook;
    try {
      playbook = await resolvePlaybook(parsePlaybookArg(requireString(p, 'playbook'), io.cwd), (f) => fsp.readFile(f, 'utf8'));
    } catch (e) {
      if (e instanceof PlaybookError) throw new UsageError(e.message.replace(/\.$/, ''));
      throw e;
    }
    const durationSeconds = p.options.duration === undefined ? undefined : Number(p.options.duration);
    if (durationSeconds !== undefined && !Number.isInteger(durationSeconds)) throw new UsageError(`--duration must be whole seconds, not '${p.options.duration}'`);
    return withPorts(p, io, async (ports) => {
      const given = (p.options.requester as string | undefined) ?? io.env.BREAKGLASS_REQUESTER;
      const requester = given || requesterFromArn((await ports.identity()).arn);
      const planned = planElevation({
        roleArn, playbook, incidentId: requireString(p, 'incident'), justification: requireString(p, 'justification'),
        requester, durationSeconds, region: p.options.region as string | undefined, sessionSuffix: sessionSuffix(), codeFollows: true,
      });
      if (!planned.ok) {
        for (const pr of planned.problems) io.stderr.write(`breakglass request: ${pr.field}: ${pr.message}\n`);
        return 2;
      }
      try {
        const o = await requestAccess(planned.plan, ports);
        warnOutcome('request', o, io);
        if (p.options.json) io.stdout.write(JSON.stringify(o.request, null, 2) + '\n');
        else io.stdout.write(`${o.request.id}\n`);
        io.stderr.write(`Requested ${planned.plan.roleName} for ${o.request.incidentId} (playbook ${playbookDisplayName(o.request.playbook)}); waiting for ${ports.approvals.required} approver(s) until ${o.request.expiresAt}.\n`);
        return 0;
      } catch (e) {
        return report('request', e, io);
      }
    });
  },
};

export const requestsCommand: Subcommand = {
  name: 'requests',
  summary: 'list approval requests: yours, and those waiting for you',
  usage: `usage: breakglass requests [--pending] [--json] [options]

Without --pending: your own requests and, if you are an approver, the requests waiting for you.
--pending: only the requests you may approve or deny now.

Options:
  --pending               only requests waiting for your decision
  --json                  machine-readable output
${COMMON_HELP}

${EXIT_CODES}
`,
  async run(argv, io) {
    const p = parseArgs(argv, { ...COMMON, pending: { type: 'boolean' }, json: { type: 'boolean' } });
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    return withPorts(p, io, async (ports) => {
      try {
        const lists = await listRequests(ports);
        const now = Date.now();
        if (p.options.json) {
          io.stdout.write(JSON.stringify(p.options.pending ? lists.pending : { me: lists.me.arn, isApprover: lists.isApprover, pending: lists.pending, mine: lists.mine }, null, 2) + '\n');
          return 0;
        }
        if (p.options.pending || lists.isApprover) {
          io.stdout.write(`Waiting for your decision (${lists.pending.length}):\n`);
          for (const r of lists.pending) io.stdout.write(`  ${line(r, now)}\n`);
          if (!lists.isApprover) io.stderr.write(`note: ${lists.me.arn} is not an approver.\n`);
        }
        if (!p.options.pending) {
          io.stdout.write(`Your requests (${lists.mine.length}):\n`);
          for (const r of lists.mine) io.stdout.write(`  ${line(r, now)}\n`);
        }
        return 0;
      } catch (e) {
        return report('requests', e, io);
      }
    });
  },
};

function decisionCommand(decision: 'approve' | 'deny'): Subcommand {
  return {
    name: decision,
    summary: decision === 'approve' ? 'approve another person\'s request' : 'deny another person\'s request',
    usage: `usage: breakglass ${decision} <request-id> [--note TEXT] [options]

${decision === 'approve' ? 'Approves' : 'Denies'} a pending request. You must be an approver (approvals.approvers) and not its requester.
If another approver decided first, nothing changes and their decision is printed (exit 4).

Options:
  --note TEXT             a note for the requester and the record
${COMMON_HELP}

${EXIT_CODES}
`,
    async run(argv, io) {
      const p = parseArgs(argv, { ...COMMON, note: { type: 'string' } });
      const [id, extra] = p.positionals;
      if (!id) throw new UsageError('give the request id (breakglass requests --pending lists them)');
      if (extra) throw new UsageError(`unexpected argument '${extra}'`);
      return withPorts(p, io, async (ports) => {
        try {
          const o = await decideRequest(id, decision, p.options.note as string | undefined, ports);
          warnOutcome(decision, o, io);
          const r = o.request;
          const state = r.status === 'pending' ? `pending: ${r.approvals.length} of ${ports.approvals.required} approvals` : r.status;
          io.stdout.write(`${r.id} ${state}\n`);
          return 0;
        } catch (e) {
          return report(decision, e, io);
        }
      });
    },
  };
}

export const approveCommand = decisionCommand('approve');
export const denyCommand = decisionCommand('deny');

export const approvalsAdminCommand: Subcommand = {
  name: 'approvals',
  summary: 'create the approvals table, or print its CloudFormation resources',
  usage: `usage: breakglass approvals create-table [--table NAME] [options]
       breakglass approvals cloudformation [--table NAME] [--topic-name NAME]

create-table     creates the DynamoDB table (on-demand billing, encryption), waits until it is ACTIVE, then turns on
                 time to live (attribute "ttl") and point-in-time recovery. Safe to run again.
cloudformation   prints the Resources fragment (AWS::DynamoDB::Table, optionally AWS::SNS::Topic) as JSON.

Options:
  --table NAME            table name (default: approvals.table from the config)
  --topic-name NAME       also an SNS topic (cloudformation)
${COMMON_HELP}

Exit codes: 0 done, 1 AWS failed (or TTL/PITR could not be turned on), 2 usage.
`,
  async run(argv, io) {
    const p = parseArgs(argv, { ...COMMON, table: { type: 'string' }, 'topic-name': { type: 'string' } });
    const [action, extra] = p.positionals;
    if (extra) throw new UsageError(`unexpected argument '${extra}'`);
    if (action !== 'create-table' && action !== 'cloudformation') throw new UsageError('choose create-table or cloudformation');
    const config = p.options.table ? undefined : await loadConfig(p, io, true);
    const table = (p.options.table as string | undefined) ?? needApprovals(config).table;
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) throw new UsageError(`'${table}' is not a DynamoDB table name (3–255 of letters, digits, _ . -)`);
    if (action === 'cloudformation') {
      const topicName = p.options['topic-name'] as string | undefined;
      io.stdout.write(JSON.stringify({ Resources: approvalsCloudFormation({ table, ...(topicName ? { topicName } : {}) }) }, null, 2) + '\n');
      return 0;
    }
    const base = await cliBase(p, io);
    try {
      const result = await createApprovalsTable(base.clients.dynamodb(config?.approvals?.region), table);
      for (const s of result.steps) io.stderr.write(`${s}\n`);
      return result.ok ? 0 : 1;
    } catch (e) {
      return report('approvals', e, io);
    } finally {
      base.clients.destroy();
    }
  },
};

/**
 * The gate `breakglass elevate` passes to the flow: from the config in --config (or ./.breakglass/config.json when
 * present). Undefined when nothing in config requires approval for this role/playbook.
 */
export async function cliGate(p: Parsed, io: CliIO, clients: AwsClients, plan: { roleArn: string; playbook: string }, audit: AuditLog): Promise<ElevationGate | undefined> {
  const config = await loadConfig(p, io, false);
  if (!config || !approvalRequired(config, plan)) return undefined;
  const ports = config.approvals ? approvalPorts(config.approvals, clients, { audit }) : undefined;
  const anyway = p.options['break-glass-anyway'] as string | undefined;
  return approvalGate({
    config, store: ports?.store, identity: ports?.identity ?? (async () => { throw new Error('no approvals block'); }),
    notifier: ports?.notifier, audit, requestId: p.options.request as string | undefined,
    onWarning: (m) => io.stderr.write(`breakglass elevate: warning: ${m}\n`),
    ...(anyway !== undefined ? {
      breakGlassAnyway: async (_plan, why) => {
        io.stderr.write(`breakglass elevate: BREAK GLASS ANYWAY — no approval (${why}). Recording, notifying, proceeding.\n`);
        return anyway;
      },
    } : {}),
  });
}
